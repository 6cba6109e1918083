"""The portal's intake form and consent signature form, in the patient's words."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.forms import NameField, text_field
from patients.models import Intake
from patients.services_intake import MAX_ACTIVITIES, IntakeData
from treatments.portal.forms import YES_NO

SCORES = [("", _("Choose a score"))] + [(str(n), str(n)) for n in range(11)]


class IntakeForm(forms.Form):
    history = text_field(
        label=_("What brings you to us? When did it start, and what makes it better or worse?"),
        max_length=4000,
        rows=4,
    )
    medicines = text_field(label=_("Which medicines do you take, including painkillers?"), max_length=2000, rows=3)
    blood_thinners = forms.ChoiceField(
        label=_("Do you take blood thinners (for example warfarin, apixaban or clopidogrel)?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please answer yes or no."), "invalid_choice": _("Please answer yes or no.")},
    )
    blood_thinners_which = text_field(label=_("If yes: which one?"), max_length=200)
    pregnancy = forms.ChoiceField(
        label=_("Are you pregnant, or could you be?"),
        help_text=_("Some treatments are not given in pregnancy. Your answer stays between you and the clinic."),
        choices=[
            (Intake.Pregnancy.YES, _("Yes, or I could be")),
            (Intake.Pregnancy.NO, _("No")),
            (Intake.Pregnancy.DISCUSS, _("I would rather talk about it with the clinician")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose an answer about pregnancy."),
            "invalid_choice": _("Please choose an answer about pregnancy."),
        },
    )
    # Asked yes or no, as the blood thinners are: a typed "None" must not read as an allergy.
    has_allergies = forms.ChoiceField(
        label=_("Are you allergic to anything, such as a medicine, plasters or latex?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please answer yes or no."), "invalid_choice": _("Please answer yes or no.")},
    )
    allergies = text_field(label=_("If yes: to what?"), max_length=2000, rows=2)
    previous_treatments = text_field(
        label=_("What have you already tried for it (physiotherapy, injections, surgery ...)?"),
        max_length=2000,
        rows=3,
    )
    imaging = text_field(
        label=_("Have you had scans or X-rays of it? Where and when? (bring the reports)"), max_length=2000, rows=2
    )
    goals = text_field(label=_("What would you like to be able to do again?"), max_length=2000, rows=3)

    def __init__(self, *args, asks_pregnancy: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not asks_pregnancy:
            del self.fields["pregnancy"]
        for n in range(1, MAX_ACTIVITIES + 1):
            self.fields[f"activity_{n}"] = text_field(label=_("Activity %(n)d") % {"n": n}, max_length=120)
            self.fields[f"score_{n}"] = forms.TypedChoiceField(
                label=_("How well can you do it today? (activity %(n)d)") % {"n": n},
                choices=SCORES,
                coerce=int,
                required=False,
                empty_value=None,
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Your problem"), "history", "previous_treatments", "imaging", "goals"),
            Fieldset(
                _("Medicines and allergies"),
                "medicines",
                "blood_thinners",
                "blood_thinners_which",
                "has_allergies",
                "allergies",
                *(["pregnancy"] if asks_pregnancy else []),
            ),
            Fieldset(
                _("Three things that are hard for you now"),
                HTML(
                    format_html(
                        "<p>{}</p>",
                        _(
                            "Name up to three everyday activities that the problem makes hard, such as climbing "
                            "stairs or lifting a child, and score each from 0 (I cannot do it at all) to 10 (I can "
                            "do it as well as before). We ask again later to see what has changed."
                        ),
                    )
                ),
                *[name for n in range(1, MAX_ACTIVITIES + 1) for name in (f"activity_{n}", f"score_{n}")],
            ),
            Submit("send", _("Send my form")),
        )

    def clean(self):
        cleaned = super().clean()
        for n in range(1, MAX_ACTIVITIES + 1):
            activity, score = cleaned.get(f"activity_{n}", ""), cleaned.get(f"score_{n}")
            if activity and score is None:
                self.add_error(f"score_{n}", _("Please give this activity a score from 0 to 10."))
            if score is not None and not activity:
                self.add_error(f"activity_{n}", _("Please name the activity you scored."))
        if cleaned.get("blood_thinners") == "yes" and not cleaned.get("blood_thinners_which", "").strip():
            self.add_error("blood_thinners_which", _("You said you take blood thinners: please write which one."))
        if cleaned.get("has_allergies") == "yes" and not cleaned.get("allergies", "").strip():
            self.add_error("allergies", _("You said you have an allergy: please write to what."))
        return cleaned

    def to_data(self) -> IntakeData:
        c = self.cleaned_data
        return IntakeData(
            blood_thinners=c["blood_thinners"] == "yes",
            blood_thinners_which=c["blood_thinners_which"],
            pregnancy=c.get("pregnancy", ""),
            history=c["history"],
            medicines=c["medicines"],
            allergic=c["has_allergies"] == "yes",
            allergies=c["allergies"],
            previous_treatments=c["previous_treatments"],
            imaging=c["imaging"],
            goals=c["goals"],
            activities=[
                (c[f"activity_{n}"], c[f"score_{n}"]) for n in range(1, MAX_ACTIVITIES + 1) if c[f"activity_{n}"]
            ],
        )


def intake_initial(intake: Intake | None) -> dict:
    """The latest submission, to start from when the patient sends the form again."""
    if intake is None:
        return {}
    initial = {
        name: getattr(intake, name)
        for name in ("history", "medicines", "blood_thinners_which", "allergies", "previous_treatments", "imaging")
    }
    initial["goals"] = intake.goals
    initial["blood_thinners"] = "yes" if intake.blood_thinners else "no"
    initial["has_allergies"] = "yes" if intake.allergies else "no"
    if intake.pregnancy:
        initial["pregnancy"] = intake.pregnancy
    for n, row in enumerate(intake.activities, start=1):
        initial[f"activity_{n}"], initial[f"score_{n}"] = row["activity"], str(row["score"])
    return initial


class ConsentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    agreed = forms.BooleanField(
        label=_("I have read this text and I agree to be treated."),
        error_messages={"required": _("Please tick the box to say you agree.")},
    )
    # A name: invisible formatting characters stripped (a signature must read as it was typed).
    typed_name = NameField(
        label=_("Type your full name to sign"),
        max_length=170,
        error_messages={"required": _("Please type your full name to sign.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout("version", "agreed", "typed_name", Submit("sign", _("Sign")))
