from django.contrib import admin

from .models import Patient, ScreeningAnswer


class ScreeningAnswerInline(admin.TabularInline):
    model = ScreeningAnswer
    extra = 0
    fields = ["question", "answer", "source", "answered_at", "recorded_by"]
    readonly_fields = ["question", "answer", "source", "answered_at", "recorded_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        # Answers are recorded by the desk form (with their time and author), not typed here.
        return False


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "phone", "email", "preferred_channel"]
    # Prefix search on the indexed column only: fast at 50,000 patients.
    search_fields = ["search_name__startswith", "=phone", "=email"]
    readonly_fields = ["email_consent_at", "sms_consent_at", "created_at", "updated_at"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [ScreeningAnswerInline]
