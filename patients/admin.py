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
    search_fields = ["search_name"]  # shows the search box; get_search_results does the work
    readonly_fields = ["email_consent_at", "sms_consent_at", "created_at", "updated_at"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [ScreeningAnswerInline]

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
