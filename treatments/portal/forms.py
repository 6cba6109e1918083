"""Forms of the patient portal: the pre-session screening, the pain check-in, cancel or move."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import text_field
from patients.models import ScreeningQuestion
from patients.screening_words import PATIENT_WORDING
from treatments.models import RedFlag

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ScreeningForm(forms.Form):
    note = text_field(label=_("Anything else we should know before the session? (optional)"), max_length=250, rows=3)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        questions = {}
        for question in ScreeningQuestion:
            questions[question.value] = forms.ChoiceField(
                label=PATIENT_WORDING[question],
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Please answer yes or no."),
                    "invalid_choice": _("Please answer yes or no."),
                },
            )
        # Questions first, the free note last.
        self.fields = {**questions, "note": self.fields["note"]}

    def question_fields(self):
        return [self[name] for name in self.fields if name != "note"]

    def answers(self) -> dict[str, bool]:
        return {q.value: self.cleaned_data[q.value] == "yes" for q in ScreeningQuestion}


class CheckInForm(forms.Form):
    pain = forms.TypedChoiceField(
        label=_("How much pain do you have right now? 0 means no pain, 10 the worst pain you can imagine."),
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose a number from 0 to 10."),
            "invalid_choice": _("Please choose a number from 0 to 10."),
        },
    )
    red_flags = forms.MultipleChoiceField(
        label=_("Do you have any of these warning signs?"),
        choices=RedFlag.CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Please tick only the warning signs listed.")},
    )
    note = text_field(label=_("Anything you want to tell us? (optional)"), max_length=1000, rows=3)


class CancelForm(forms.Form):
    ACTIONS = [("cancel", _("Cancel this session")), ("move", _("Ask to move it"))]

    action = forms.ChoiceField(choices=ACTIONS, error_messages={"invalid_choice": _("Please choose what to do.")})
    reason = text_field(label=_("Reason, or times that suit you better (optional)"), max_length=250, rows=2)
    # Cancelling asks once more on a page of its own (no script: the CSP refuses inline confirm()).
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SlotForm(forms.Form):
    """One of the times on offer, as an ISO time with its offset (the page writes it in clinic time);
    anything else is refused here, so a hand-made time never reaches the service."""

    start = forms.CharField(error_messages={"required": _("Please choose a time.")})

    def __init__(self, *args, slots: list[dt.datetime], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.slots = slots

    def clean_start(self) -> dt.datetime:
        try:
            start = dt.datetime.fromisoformat(self.cleaned_data["start"])
        except ValueError:
            start = None
        # Compared as instants: the same time written in UTC or in clinic time is the same slot.
        if start is None or start.tzinfo is None or start not in self.slots:
            raise forms.ValidationError(_("That time is no longer free. Please choose another one."))
        return start
