from django.contrib import admin

from .models import AppointmentType, AuditEntry, ClinicSettings, Closure, Location, Practitioner, Room, WorkingHours


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return not ClinicSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "phone", "active"]
    inlines = [RoomInline]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "title", "user", "active"]
    exclude = ["feed_token_hash"]
    inlines = [WorkingHoursInline]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["reason", "starts_at", "ends_at", "location", "practitioner"]
    list_filter = ["location", "practitioner"]


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "buffer_minutes", "is_injection", "active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail can be searched, never edited."""

    list_display = ["at", "user", "action", "object_type", "object_id", "patient_id", "ip", "via"]
    list_filter = ["action", "object_type", "via"]
    search_fields = ["object_id", "user__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
