from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.admin_base import ReadOnlyAdmin
from clinic.audit import audit_record
from clinic.models import AuditEntry

from .models import ConsentSignature, ConsentText, Intake, Patient, ScreeningAnswer
from .selectors_intake import consent_text_current
from .services_intake import consent_text_publish


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
class PatientAdmin(ReadOnlyAdmin):
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


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Add-only: saving publishes a NEW version (`consent_text_publish`), started from the current
    words; published versions are read-only, because patients signed exactly those words."""

    list_display = ["version", "published_at"]
    fields = ["text"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_fields(self, request, obj=None):
        return ["version", "published_at", "text"] if obj else ["text"]

    def get_changeform_initial_data(self, request) -> dict:
        current = consent_text_current()
        return {"text": current.text if current else ""}

    def save_model(self, request, obj, form, change) -> None:
        published = consent_text_publish(text=form.cleaned_data["text"], now=timezone.now())
        # The admin goes on with `obj` (its message and redirect): make it the published row.
        obj.pk, obj.version, obj.published_at = published.pk, published.version, published.published_at


@admin.register(ConsentSignature)
class ConsentSignatureAdmin(ReadOnlyAdmin):
    """Read-only: a signature is never changed."""

    list_display = ["patient", "consent_text", "typed_name", "signed_at", "ip"]
    list_select_related = ["patient", "consent_text"]
    date_hierarchy = "signed_at"


@admin.register(Intake)
class IntakeAdmin(ReadOnlyAdmin):
    """Read-only: what the patient sent stays as they sent it; a new submission is a new row."""

    list_display = ["patient", "submitted_at", "blood_thinners"]
    list_select_related = ["patient"]
