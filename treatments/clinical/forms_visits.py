"""Forms of the consultation note and the follow-up / review note. They parse and range-check;
services/records.py and services/visits.py decide and write."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from treatments.clinical.fields import field_label
from treatments.clinical.services.records import RecordData
from treatments.clinical.services.visits import KIND_FIELDS
from treatments.models import OutcomeScore, Protocol, SessionRecord, Side

Kind = SessionRecord.Kind
text = forms.Textarea(attrs={"rows": 3})


class VisitForm(forms.Form):
    """The fields of one kind of visit (KIND_FIELDS), labelled as that visit asks them."""

    history = forms.CharField(required=False, widget=text)
    examination = forms.CharField(required=False, widget=text)
    imaging_reviewed = forms.CharField(required=False, widget=text)
    screening_reviewed = forms.BooleanField(required=False)
    progress = forms.CharField(required=False, widget=text)
    pain_before = forms.IntegerField(required=False, validators=[MinValueValidator(0), MaxValueValidator(10)])
    outcome_measure = forms.ChoiceField(required=False, choices=[("", "—"), *OutcomeScore.Measure.choices])
    outcome_value = forms.DecimalField(required=False, max_digits=6, decimal_places=2)
    assessment = forms.CharField(required=False, widget=text)
    candidate = forms.TypedChoiceField(
        required=False,
        choices=[("", _("Not decided yet")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
    )
    proposed_protocol_id = forms.ModelChoiceField(
        required=False, queryset=Protocol.objects.filter(active=True), empty_label="—"
    )
    proposed_side = forms.ChoiceField(choices=Side.choices, initial=Side.NONE)
    plan = forms.ChoiceField(choices=SessionRecord.Plan.choices, initial=SessionRecord.Plan.CONTINUE)
    plan_note = forms.CharField(required=False, max_length=250)
    notes = forms.CharField(required=False, widget=text)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        wanted = KIND_FIELDS[kind]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
            else:
                self.fields[name].label = field_label(name, kind)
        if kind == Kind.CONSULTATION:
            self.fields["plan_note"].help_text = _(
                "Choosing a protocol for a candidate puts “book this series” on the desk's requests when you sign."
            )

    def to_data(self) -> RecordData:
        d = dict(self.cleaned_data)
        if "proposed_protocol_id" in d:
            protocol = d.pop("proposed_protocol_id")
            d["proposed_protocol_id"] = protocol.pk if protocol else None
        if "outcome_measure" in d and not d["outcome_measure"]:
            d["outcome_value"] = d.get("outcome_value")
        return RecordData(**d)


def visit_initial(record: SessionRecord) -> dict:
    initial = {name: getattr(record, name) for name in KIND_FIELDS[record.kind]}
    if "candidate" in initial:
        initial["candidate"] = {True: "yes", False: "no"}.get(initial["candidate"], "")
    return initial
