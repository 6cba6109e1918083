"""The three forms of /book/: what and where, who the patient is, and the code."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import NameField
from patients.models import ScreeningQuestion
from patients.phones import InvalidPhone, phone_normalise, sms_destination_problem
from patients.screening_words import PATIENT_WORDING
from treatments.models import OnlineBooking

ANYONE = "any"


class SearchForm(forms.Form):
    """A GET form: nothing is written by looking."""

    appointment_type = forms.TypedChoiceField(label=_("What would you like to book?"), coerce=int)
    location = forms.TypedChoiceField(label=_("Where?"), coerce=int)
    practitioner = forms.ChoiceField(label=_("With whom?"))
    day = forms.DateField(label=_("Which day?"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, types, locations, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].choices = [(t.pk, f"{t.name} ({t.duration_minutes} min)") for t in types]
        self.fields["location"].choices = [(loc.pk, loc.name) for loc in locations]
        self.fields["practitioner"].choices = [(ANYONE, _("Anyone available"))] + [
            (str(p.pk), p.display_name) for p in practitioners
        ]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            "appointment_type", "location", "practitioner", "day", Submit("", _("Show free times"))
        )


class DetailsForm(forms.Form):
    first_name = NameField(label=_("First name"), max_length=80)
    last_name = NameField(label=_("Last name"), max_length=80)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=40, widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    code_channel = forms.ChoiceField(
        label=_("Send my code by"), choices=OnlineBooking.CodeChannel.choices, widget=forms.RadioSelect
    )
    email_consent = forms.BooleanField(label=_("Send me reminders and messages by e-mail"), required=False)
    sms_consent = forms.BooleanField(label=_("Send me reminders by text message (SMS)"), required=False)

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        for question in ScreeningQuestion:
            self.fields[f"screen_{question.value}"] = forms.BooleanField(
                label=PATIENT_WORDING[question], required=False
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("About you"), "first_name", "last_name", "date_of_birth"),
            Fieldset(_("How we reach you"), "phone", "email", "code_channel", "email_consent", "sms_consent"),
            Fieldset(
                _("Health questions: tick each one you would answer yes to"),
                *[f"screen_{q}" for q in ScreeningQuestion.values],
            ),
            Submit("hold", _("Hold this time and send my code")),
        )

    def clean_phone(self) -> str:
        try:
            return phone_normalise(self.cleaned_data["phone"])
        except InvalidPhone:
            raise forms.ValidationError(_("This is not a valid phone number, e.g. (312) 555-0123.")) from None

    def clean(self):
        cleaned = super().clean()
        phone = cleaned.get("phone")
        if cleaned.get("code_channel") == OnlineBooking.CodeChannel.SMS and phone:
            problem = sms_destination_problem(phone)
            if problem:
                self.add_error("phone", problem)
        return cleaned

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born >= self.today or born.year < 1900:
            raise forms.ValidationError(_("Please check your date of birth."))
        return born

    def screening(self) -> dict[str, bool]:
        return {q: bool(self.cleaned_data.get(f"screen_{q}")) for q in ScreeningQuestion.values}


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("code", Submit("verify", _("Confirm my booking")))
