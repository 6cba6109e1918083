"""Names are stored without invisible formatting characters (issue 20, item 5): a right-to-left
override or zero-width characters typed into a name are stripped at the form, real scripts and
diacritics are kept, and a name of nothing but such characters is refused as empty."""

import datetime as dt

import pytest

from patients.forms import PatientForm
from patients.forms_consult import ConsultationRequestForm
from treatments.booking.forms import DetailsForm

RLO, ZWSP, ZWJ, LRI, PDI, BOM = "\u202e", "\u200b", "\u200d", "\u2066", "\u2069", "\ufeff"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (f"Ann{RLO}reklaW", "AnnreklaW"),  # displayed "AnnWalker"-looking text, reversed
        (f"Jo{ZWSP}hn", "John"),
        (f"{BOM}{LRI}Ada{PDI}", "Ada"),
        (f"Ma{ZWJ}ria", "Maria"),
        ("Zoë Łukasiewicz", "Zoë Łukasiewicz"),
        ("Zoe\u0308", "Zoë"),  # combining diaeresis: kept, composed (NFC)
        ("مريم", "مريم"),
        ("李小龙", "李小龙"),
        ("Nguyễn Thị", "Nguyễn Thị"),
    ],
)
def test_booking_online_strips_invisible_controls_from_names_and_keeps_real_letters(typed, stored):
    form = DetailsForm(
        {
            "first_name": typed,
            "last_name": f"Berg{RLO}",
            "date_of_birth": "1980-03-04",
            "phone": "(312) 555-0188",
            "email": "nina@example.com",
            "code_channel": "email",
        },
        today=dt.date(2026, 5, 1),
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["first_name"], form.cleaned_data["last_name"]) == (stored, "Berg")


def test_a_name_of_only_invisible_characters_is_refused_as_empty():
    form = DetailsForm({"first_name": f"{ZWSP}{RLO}", "last_name": "Berg"}, today=dt.date(2026, 5, 1))
    assert not form.is_valid()
    assert form.errors["first_name"] == ["This field is required."]

    consult = ConsultationRequestForm({"name": ZWSP * 3, "email": "a@example.com", "consent": "on"})
    assert not consult.is_valid()
    assert consult.errors["name"] == ["Please tell us your name."]


@pytest.mark.django_db
def test_the_desks_patient_form_and_the_consultation_form_strip_them_too():
    desk = PatientForm({"first_name": f"{RLO}Ann", "last_name": f"Wal{ZWSP}ker", "date_of_birth": "1980-03-04"})
    desk.is_valid()
    assert (desk.cleaned_data["first_name"], desk.cleaned_data["last_name"]) == ("Ann", "Walker")

    consult = ConsultationRequestForm({"name": f"Ann {RLO}Walker"})
    consult.is_valid()
    assert consult.cleaned_data["name"] == "Ann Walker"


def test_the_consent_signature_strips_invisible_controls_from_the_typed_name():
    from treatments.portal.forms_intake import ConsentForm

    form = ConsentForm({"version": 1, "agreed": "on", "typed_name": f"{RLO}Nina{ZWSP} Berg{PDI}"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["typed_name"] == "Nina Berg"


@pytest.mark.django_db
def test_a_practitioners_display_name_is_stored_without_invisible_controls():
    from clinic.admin_forms import PractitionerForm

    form = PractitionerForm({"display_name": f"Dr {RLO}Maya{ZWSP} Patel", "title": "Dr", "colour": "", "active": "on"})

    form.is_valid()
    assert "display_name" not in form.errors
    assert form.cleaned_data["display_name"] == "Dr Maya Patel"
