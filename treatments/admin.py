"""Admin for protocols (editable by the clinic admin) and the booking records (read-mostly: every
booking change goes through treatments/scheduling/services/booking.py so its history and messages follow)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clinic.admin_base import ReadOnlyAdmin
from treatments.models import Appointment, AppointmentChange, Protocol, TreatmentSeries, WaitlistEntry


class StepIntervalsField(forms.CharField):
    """Per-step intervals typed as "28, 28, 56" (days); empty means the target interval throughout."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = (value or "").replace(";", ",").strip()
        if not text:
            return []
        try:
            days = [int(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(
                _("Write whole numbers of days separated by commas, e.g. 28, 28, 56.")
            ) from None
        if any(d < 1 or d > 365 for d in days):
            raise forms.ValidationError(_("Each interval must be between 1 and 365 days."))
        return days


# The protocol form's sections, in the order the admin shows them.
PROTOCOL_GENERAL = ("name", "condition", "condition_label", "citation", "active")
PROTOCOL_SPACING = (
    "required_sessions",
    "optional_sessions",
    "as_needed",
    "target_interval_days",
    "step_intervals",
    "window_before_days",
    "window_after_days",
    "appointment_type",
)
PROTOCOL_CLINICAL = ("solution", "outcome_measures", "aftercare_slug")


class ProtocolForm(forms.ModelForm):
    step_intervals = StepIntervalsField(
        label=_("Step intervals (days)"),
        required=False,
        help_text=_("Days from each session to the next, where spacing changes (Sit 2020: 28, 28, 56)."),
    )

    class Meta:
        model = Protocol
        fields = [*PROTOCOL_GENERAL, *PROTOCOL_SPACING, *PROTOCOL_CLINICAL]

    def clean(self):
        data = super().clean()
        before, after = data.get("window_before_days"), data.get("window_after_days")
        target = data.get("target_interval_days")
        if before is not None and target is not None and before >= target:
            self.add_error("window_before_days", _("The window must open after the previous session."))
        if after is not None and after > 365:
            self.add_error("window_after_days", _("At most 365 days."))
        return data


@admin.register(Protocol)
class ProtocolAdmin(admin.ModelAdmin):
    form = ProtocolForm
    list_display = [
        "name",
        "condition_label",
        "required_sessions",
        "optional_sessions",
        "target_interval_days",
        "step_intervals",
        "window_before_days",
        "window_after_days",
        "aftercare_slug",
        "active",
    ]
    list_filter = ["condition", "active"]
    search_fields = ["name", "condition_label", "citation"]
    fieldsets = [
        (None, {"fields": PROTOCOL_GENERAL}),
        (_("Sessions and spacing"), {"fields": PROTOCOL_SPACING}),
        (_("Clinical"), {"fields": PROTOCOL_CLINICAL}),
    ]


class AppointmentInline(admin.TabularInline):
    model = Appointment
    fields = readonly_fields = ("series_step", "start", "status", "is_optional", "cancel_kind", "cancel_reason")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TreatmentSeries)
class TreatmentSeriesAdmin(ReadOnlyAdmin):
    list_display = ["patient", "protocol", "practitioner", "side", "status", "planned_sessions", "created_at"]
    list_filter = ["status", "protocol", "practitioner"]
    list_select_related = ["patient", "protocol", "practitioner"]
    search_fields = ["patient__search_name"]
    inlines = [AppointmentInline]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["start", "patient", "practitioner", "appointment_type", "series_step", "status"]
    list_filter = ["status", "practitioner", "appointment_type", "location"]
    list_select_related = ["patient", "practitioner", "appointment_type"]
    date_hierarchy = "start"
    search_fields = ["patient__search_name"]


@admin.register(AppointmentChange)
class AppointmentChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "appointment", "series", "by", "old_start", "new_start", "reason"]
    list_filter = ["kind"]
    list_select_related = ["appointment__appointment_type", "series__protocol", "by"]


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "patient", "practitioner", "appointment_type", "resolved_at", "resolved_by"]
    list_filter = ["practitioner"]
    list_select_related = ["patient", "practitioner", "appointment_type", "resolved_by"]
    search_fields = ["patient__search_name"]
