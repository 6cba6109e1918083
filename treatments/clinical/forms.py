"""Forms of the session record and the outcome scores. They parse and range-check input; the
services decide and write."""

import dataclasses
from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from clinic.models import Practitioner
from patients.models import ScreeningQuestion
from treatments.clinical import bodychart
from treatments.clinical.fields import EVENT_LABELS, SITE_LABELS, field_label
from treatments.clinical.services.amendments import NEW_EVENT
from treatments.clinical.services.outcomes import RANGES
from treatments.clinical.services.record_data import SITE_FIELDS, EventData, RecordData, SiteData
from treatments.clinical.services.records import AMENDABLE_FIELDS, RECHECK_QUESTIONS
from treatments.clinical.services.visits import KIND_FIELDS
from treatments.models import AdverseEvent, Attachment, InjectionSite, OutcomeScore, SessionRecord, Side

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a lazy translation or a str; for the type checker only

# Where each condition is usually injected (region, structure): offered as suggestions, any other
# text is accepted. Keyed by Protocol.condition.
SITE_SUGGESTIONS: dict[str, list[tuple[str, str]]] = {
    "knee-oa": [
        ("Knee", "Intra-articular"),
        ("Knee", "MCL origin"),
        ("Knee", "MCL insertion"),
        ("Knee", "Pes anserine"),
        ("Knee", "LCL origin"),
        ("Knee", "Patellar tendon origin"),
        ("Knee", "Coronary ligament"),
    ],
    "low-back": [
        ("Lumbar spine", "Iliolumbar ligament"),
        ("Lumbar spine", "Supraspinous / interspinous ligament"),
        ("Lumbar spine", "Facet capsule"),
        ("Pelvis", "Posterior sacroiliac ligament"),
    ],
    "sacroiliac": [
        ("Sacroiliac joint", "Intra-articular"),
        ("Sacroiliac joint", "Posterior sacroiliac ligament"),
        ("Sacroiliac joint", "Sacrotuberous ligament"),
    ],
    "tennis-elbow": [
        ("Elbow", "Common extensor origin"),
        ("Elbow", "Annular ligament"),
        ("Elbow", "Supracondylar ridge"),
    ],
    "achilles": [("Ankle", "Achilles tendon (paratenon)"), ("Ankle", "Achilles insertion"), ("Ankle", "Enthesis")],
    "rotator-cuff": [
        ("Shoulder", "Supraspinatus insertion"),
        ("Shoulder", "Infraspinatus insertion"),
        ("Shoulder", "Subscapularis insertion"),
        ("Shoulder", "Glenohumeral joint"),
    ],
    "plantar-fasciitis": [("Foot", "Plantar fascia origin"), ("Foot", "Medial calcaneal tubercle")],
    "osgood-schlatter": [("Knee", "Tibial tubercle"), ("Knee", "Patellar tendon insertion")],
}

nrs = [MinValueValidator(0), MaxValueValidator(10)]
percent = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))]


class RecordForm(forms.Form):
    consent_confirmed = forms.BooleanField(required=False, label=_("Consent for this series confirmed"))
    screening_rechecked = forms.BooleanField(
        required=False, label=_("I re-checked today's screening with the patient (tick each answer that is yes)")
    )
    pain_before = forms.IntegerField(required=False, validators=nrs, label=_("Pain before (0-10)"))
    pain_after = forms.IntegerField(required=False, validators=nrs, label=_("Pain after (0-10)"))
    product_lot = forms.CharField(required=False, max_length=60, label=_("Product lot number"))
    plan = forms.ChoiceField(choices=SessionRecord.Plan.choices, initial=SessionRecord.Plan.CONTINUE, label=_("Plan"))
    plan_note = forms.CharField(required=False, max_length=250, label=_("Plan note"))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Notes"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ScreeningQuestion.choices)
        for question in RECHECK_QUESTIONS:
            self.fields[f"screen_{question}"] = forms.BooleanField(required=False, label=labels[question])

    def screening_fields(self):
        return [self[f"screen_{q}"] for q in RECHECK_QUESTIONS]


class SiteForm(forms.Form):
    # The datalists offer the condition's usual sites; any other text is accepted.
    region = forms.CharField(max_length=80, label=_("Region"), widget=forms.TextInput(attrs={"list": "site-regions"}))
    structure = forms.CharField(
        max_length=120, required=False, label=_("Structure"), widget=forms.TextInput(attrs={"list": "site-structures"})
    )
    side = forms.ChoiceField(choices=Side.choices, initial=Side.NONE, label=_("Side"))
    guidance = forms.ChoiceField(
        choices=InjectionSite.Guidance.choices, initial=InjectionSite.Guidance.LANDMARK, label=_("Guidance")
    )
    dextrose_percent = forms.DecimalField(max_digits=4, decimal_places=1, validators=percent, label=_("Dextrose %"))
    anaesthetic = forms.CharField(max_length=40, required=False, label=_("Anaesthetic"))
    anaesthetic_percent = forms.DecimalField(
        max_digits=4, decimal_places=2, required=False, validators=percent, label=_("Anaesthetic %")
    )
    volume_ml = forms.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("30"))],
        label=_("Volume mL"),
        widget=forms.NumberInput(attrs={"step": "0.1", "class": "js-volume"}),
    )
    needle_gauge = forms.IntegerField(
        required=False, validators=[MinValueValidator(10), MaxValueValidator(34)], label=_("Needle gauge")
    )

    # Filled by a click on the body chart (record_body_chart.html); empty for a typed row. Parsed
    # in clean(), so a bad point gets one visible message instead of errors on hidden fields.
    chart_view = forms.CharField(required=False, max_length=5, widget=forms.HiddenInput)
    chart_x = forms.CharField(required=False, max_length=6, widget=forms.HiddenInput)
    chart_y = forms.CharField(required=False, max_length=6, widget=forms.HiddenInput)

    def clean(self):
        d = super().clean()
        view = d.get("chart_view", "")
        try:
            x, y = (int(d[k]) if d.get(k) not in (None, "") else None for k in ("chart_x", "chart_y"))
        except ValueError:
            x, y, view = None, None, view or "?"
        problem = bodychart.chart_point_problem(view, x, y)
        if problem:
            self.add_error(None, problem[0].upper() + problem[1:] + ".")
        d["chart_x"], d["chart_y"] = x, y
        return d

    def to_data(self) -> SiteData:
        d = {name: self.cleaned_data[name] for name in SITE_FIELDS}
        return SiteData(**{**d, "anaesthetic_percent": d["anaesthetic_percent"] or Decimal("0")})


class EventForm(forms.Form):
    # A blank first choice, so an untouched extra row is not taken for an event.
    kind = forms.ChoiceField(choices=[("", "—"), *AdverseEvent.Kind.choices], label=_("Adverse event"))
    notes = forms.CharField(max_length=500, required=False, label=_("Notes"))


def site_formset(*, extra: int = 0):
    return forms.formset_factory(SiteForm, extra=extra, can_delete=True, max_num=40, validate_max=True)


def event_formset(*, extra: int = 0):
    return forms.formset_factory(EventForm, extra=extra, can_delete=True, max_num=10, validate_max=True)


def site_initial(record: SessionRecord) -> list[dict]:
    return [dataclasses.asdict(SiteData.of(s)) for s in record.sites.all()]


def record_initial(record: SessionRecord, answers: dict[str, bool]) -> dict:
    initial = {name: getattr(record, name) for name in ("consent_confirmed", "screening_rechecked", *AMENDABLE_FIELDS)}
    for question in RECHECK_QUESTIONS:
        initial[f"screen_{question}"] = answers.get(question, False)
    return initial


def _live(formset) -> list:
    """Rows to keep: every saved row not marked for deletion, and every new row filled in."""
    initial = formset.initial_form_count()
    return [
        f for i, f in enumerate(formset.forms) if (i < initial or f.has_changed()) and not f.cleaned_data.get("DELETE")
    ]


def record_data(form: RecordForm, sites, events) -> RecordData:
    """The service's input from three valid forms; empty extra rows are ignored."""
    d = form.cleaned_data
    screening = None
    if d["screening_rechecked"]:
        screening = {q: d[f"screen_{q}"] for q in RECHECK_QUESTIONS}
    return RecordData(
        consent_confirmed=d["consent_confirmed"],
        **{name: d[name] for name in AMENDABLE_FIELDS},
        screening=screening,
        sites=[f.to_data() for f in _live(sites)],
        events=[EventData(kind=f.cleaned_data["kind"], notes=f.cleaned_data["notes"]) for f in _live(events)],
    )


class AmendForm(forms.Form):
    """One correction at a time: a field of the record, of one of its sites ("site:<id>:<field>")
    or adverse events ("event:<id>:<field>", "event:new:kind" to add one), its corrected value
    and why. The value is parsed by the service, which knows each field's type."""

    field = forms.ChoiceField(label=_("Field to correct"))
    value = forms.CharField(
        max_length=2000,
        required=False,
        label=_("Corrected value"),
        help_text=_("For a choice, type the option as the record shows it (e.g. “Right”, “Ultrasound”, “Yes”)."),
    )
    reason = forms.CharField(max_length=250, label=_("Why"))

    def __init__(self, *args, record: SessionRecord, **kwargs):
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, StrOrPromise]] = [
            (name, field_label(name, record.kind)) for name in KIND_FIELDS[record.kind]
        ]
        for number, site in enumerate(record.sites.all(), start=1):
            where = f"{_('Site')} {number} ({site.structure or site.region})"
            choices += [(f"site:{site.pk}:{name}", f"{where}: {label}") for name, label in SITE_LABELS.items()]
        for number, event in enumerate(record.adverse_events.order_by("pk"), start=1):
            where = f"{_('Adverse event')} {number} ({event.get_kind_display()})"
            choices += [(f"event:{event.pk}:{name}", f"{where}: {label}") for name, label in EVENT_LABELS.items()]
        if record.kind == SessionRecord.Kind.INJECTION:
            choices.append((f"event:{NEW_EVENT}:kind", _("Add an adverse event (give its kind)")))
        field = self.fields["field"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = choices

    def clean(self):
        d = super().clean()
        name, value = d.get("field"), d.get("value") or ""
        d["changes"], d["site_changes"], d["event_changes"] = {}, {}, {}
        if not name:
            return d
        if name.startswith(("site:", "event:")):
            what, row, row_field = name.split(":")
            key = row if row == NEW_EVENT else int(row)
            d["site_changes" if what == "site" else "event_changes"] = {key: {row_field: value}}
        else:
            d["changes"] = {name: value}
        return d


class ScoreForm(forms.Form):
    measure = forms.ChoiceField(choices=OutcomeScore.Measure.choices, label=_("Measure"))
    value = forms.DecimalField(max_digits=6, decimal_places=2, label=_("Score"))
    recorded_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        d = super().clean()
        measure, value = d.get("measure"), d.get("value")
        if measure in RANGES and value is not None:
            low, high = RANGES[measure]
            if not low <= value <= high:
                self.add_error("value", _("This measure goes from %(low)s to %(high)s.") % {"low": low, "high": high})
        return d


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(choices=Attachment.Kind.choices, label=_("What it is"))
    file = forms.FileField(
        label=_("File (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    record = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Session (optional)"))

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = {r.pk: r for r in records}
        self.fields["record"].choices = [("", _("The patient, not one session"))] + [
            (r.pk, f"{r.appointment.start:%d %b %Y} — {r.appointment.appointment_type}") for r in records
        ]

    def clean_record(self):
        value = self.cleaned_data["record"]
        return self.records[value] if value is not None else None


class HandOverForm(forms.Form):
    """The clinic admin gives a record to another practitioner (services/handover.py)."""

    practitioner = forms.ModelChoiceField(
        label=_("Hand it to"),
        queryset=Practitioner.objects.filter(active=True).order_by("display_name"),
        error_messages={"required": _("Choose the practitioner."), "invalid_choice": _("Choose the practitioner.")},
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=250,
        error_messages={"required": _("Say why the record is handed over.")},
    )

    def __init__(self, *args, writer: Practitioner | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if writer is not None:
            # Whoever writes it now is no one to hand it to.
            field = self.fields["practitioner"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Practitioner.objects.filter(active=True).exclude(pk=writer.pk).order_by("display_name")
