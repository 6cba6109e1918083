from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.audit import audit_record
from clinic.models import AuditEntry

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
    """Read-only. Patients are registered and edited at the desk (`patients.services`), where the
    duplicate check, consent times and the audit entry go with every change; a second write path
    here would skip them. Opening a patient here is audited like opening the desk's page."""

    list_display = ["last_name", "first_name", "date_of_birth", "phone", "email", "preferred_channel"]
    # Prefix search on the indexed column only: fast at 50,000 patients.
    search_fields = ["search_name"]  # shows the search box; get_search_results does the work
    readonly_fields = ["edit_at_the_desk"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [ScreeningAnswerInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("Edit"))
    def edit_at_the_desk(self, obj: Patient) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("patients:edit", args=[obj.pk]), _("Edit this patient at the desk")
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and object_id.isdigit():
            audit_record(
                request=request,
                action=AuditEntry.Action.VIEW,
                object_type="patients.patient",
                object_id=object_id,
                patient_id=int(object_id),
            )
        return response

    def get_search_results(self, request, queryset, search_term):
        """The desk's search, on its indexes: a prefix of "last first" (lower-cased, in one piece
        rather than word by word), an exact phone or e-mail."""
        from django.db.models import Q

        from .phones import InvalidPhone, phone_normalise

        term = " ".join(search_term.split()).lower()
        if not term:
            return queryset, False
        condition = Q(search_name__startswith=term.replace(",", "")) | Q(email=term)
        try:
            phone = phone_normalise(term)
        except InvalidPhone:
            phone = ""
        if phone:
            condition |= Q(phone=phone)
        return queryset.filter(condition), False
