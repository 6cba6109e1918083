"""The patient form: contact data, consent per channel, emergency contact, screening questions."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import NameField

from .models import Channel, Patient, ScreeningQuestion
from .phones import InvalidPhone, phone_display, phone_normalise
from .services import PatientData

SCREENING_PREFIX = "screen_"


def _screening_field_name(question: str) -> str:
    return f"{SCREENING_PREFIX}{question}"


class PatientForm(forms.Form):
    first_name = NameField(label=_("First name"), max_length=80)
    last_name = NameField(label=_("Last name"), max_length=80)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(label=_("Mobile phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    preferred_channel = forms.ChoiceField(label=_("Preferred channel"), choices=Channel.choices)
    email_consent = forms.BooleanField(label=_("Agrees to messages by e-mail"), required=False)
    sms_consent = forms.BooleanField(label=_("Agrees to text messages (SMS)"), required=False)
    emergency_contact_name = NameField(label=_("Emergency contact name"), max_length=120, required=False)
    emergency_contact_phone = forms.CharField(label=_("Emergency contact phone"), max_length=40, required=False)
    confirm_not_duplicate = forms.BooleanField(
        label=_("I checked: this is a different person. Register anyway."), required=False
    )

    def __init__(self, *args, today=None, show_duplicate_confirm: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        for question, label in ScreeningQuestion.choices:
            self.fields[_screening_field_name(question)] = forms.BooleanField(label=label, required=False)
        if not show_duplicate_confirm:
            del self.fields["confirm_not_duplicate"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Patient"),
                Div(Div("first_name", css_class="col-md-6"), Div("last_name", css_class="col-md-6"), css_class="row"),
                "date_of_birth",
            ),
            Fieldset(
                _("Contact and consent"),
                Div(Div("phone", css_class="col-md-6"), Div("email", css_class="col-md-6"), css_class="row"),
                "preferred_channel",
                "email_consent",
                "sms_consent",
            ),
            Fieldset(_("Emergency contact"), "emergency_contact_name", "emergency_contact_phone"),
            Fieldset(
                _("Screening: tick each question the patient answers yes"),
                HTML(
                    '<p class="form-text">{}</p>'.format(_("A yes is flagged to the practitioner; it blocks nothing."))
                ),
                *[_screening_field_name(q) for q in ScreeningQuestion.values],
            ),
            *(["confirm_not_duplicate"] if show_duplicate_confirm else []),
            Submit("save", _("Save patient")),
        )

    @classmethod
    def initial_for(cls, patient: Patient, screening: dict[str, bool]) -> dict:
        initial = {
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": patient.date_of_birth,
            "phone": phone_display(patient.phone),
            "email": patient.email,
            "preferred_channel": patient.preferred_channel,
            "email_consent": patient.email_consent_at is not None,
            "sms_consent": patient.sms_consent_at is not None,
            "emergency_contact_name": patient.emergency_contact_name,
            "emergency_contact_phone": phone_display(patient.emergency_contact_phone),
        }
        initial.update({_screening_field_name(q): a for q, a in screening.items()})
        return initial

    def _clean_phone_field(self, name: str) -> str:
        try:
            return phone_normalise(self.cleaned_data.get(name, ""))
        except InvalidPhone:
            raise forms.ValidationError(
                _(
                    "This is not a valid phone number. Type it with its area code, "
                    "e.g. (312) 555-0123 or +44 20 7946 0958."
                )
            ) from None

    def clean_phone(self) -> str:
        return self._clean_phone_field("phone")

    def clean_emergency_contact_phone(self) -> str:
        return self._clean_phone_field("emergency_contact_phone")

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if self.today is not None and value > self.today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if value.year < 1900:
            raise forms.ValidationError(_("Check the year of birth."))
        return value

    def clean(self):
        data = super().clean()
        phone, email = data.get("phone"), data.get("email")
        if data.get("sms_consent") and not phone and "phone" not in self.errors:
            self.add_error("sms_consent", _("Text messages need a mobile phone number."))
        if data.get("email_consent") and not email and "email" not in self.errors:
            self.add_error("email_consent", _("E-mail messages need an e-mail address."))
        channel = data.get("preferred_channel")
        if channel == Channel.SMS and not phone and "phone" not in self.errors:
            self.add_error("preferred_channel", _("Text messages need a mobile phone number."))
        if channel == Channel.EMAIL and not email and "email" not in self.errors and phone:
            self.add_error("preferred_channel", _("There is no e-mail address: choose text messages."))
        return data

    def to_data(self) -> PatientData:
        data = self.cleaned_data
        return PatientData(
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            phone=data["phone"],
            email=data.get("email") or "",
            preferred_channel=data["preferred_channel"],
            email_consent=data["email_consent"],
            sms_consent=data["sms_consent"],
            emergency_contact_name=data["emergency_contact_name"],
            emergency_contact_phone=data["emergency_contact_phone"],
            screening={q: bool(data.get(_screening_field_name(q))) for q in ScreeningQuestion.values},
        )


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a patient"),
        max_length=100,
        required=False,
        # "/" puts the cursor here (static/js/prolo.js).
        widget=forms.TextInput(attrs={"type": "search", "data-search-box": ""}),
        help_text=_(
            "First or last name (or both), e-mail, four or more digits of a phone number, or date of birth "
            "(YYYY-MM-DD)."
        ),
    )
