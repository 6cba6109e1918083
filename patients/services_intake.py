"""Writes of what a patient tells the clinic before their first visit: the intake form, and the
electronic signature of the consent-to-treatment text. The consent text itself is versioned: the
clinic publishes a new version, never edits one."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .models import ConsentSignature, ConsentText, Intake, Patient, ScreeningAnswer, ScreeningQuestion
from .selectors_intake import consent_text_current

MAX_ACTIVITIES = 3


class IntakeError(Exception):
    """A clear, patient-facing reason why nothing was saved."""


@dataclass(frozen=True)
class IntakeData:
    blood_thinners: bool
    blood_thinners_which: str = ""
    # Intake.Pregnancy: "" when the clinic does not ask.
    pregnancy: str = ""
    history: str = ""
    medicines: str = ""
    allergies: str = ""
    # The answer to "are you allergic to anything?"; None where only the text was asked (an
    # allergy named is a yes).
    allergic: bool | None = None
    previous_treatments: str = ""
    imaging: str = ""
    goals: str = ""
    # (activity, score 0-10): the PSFS baseline, up to three.
    activities: list[tuple[str, int]] = field(default_factory=list)


def _activities_checked(activities: list[tuple[str, int]]) -> list[dict]:
    if len(activities) > MAX_ACTIVITIES:
        raise IntakeError(_("Name at most three activities."))
    rows = []
    for activity, score in activities:
        activity = " ".join(activity.split())
        if not activity:
            raise IntakeError(_("Each score needs the activity it is about."))
        if not isinstance(score, int) or not 0 <= score <= 10:
            raise IntakeError(_("Score each activity from 0 (cannot do it) to 10 (as before the problem)."))
        rows.append({"activity": activity[:120], "score": score})
    return rows


def intake_record(*, patient: Patient, data: IntakeData, now: dt.datetime) -> Intake:
    """Store one submission (earlier ones stay). Raises IntakeError with nothing saved. Its safety
    answers become screening answers too, so they are flags wherever the screening flags show
    (the calendar card, the patient page, the record): one reading of "the patient's flags"."""
    which = data.blood_thinners_which.strip()
    if data.blood_thinners and not which:
        raise IntakeError(_("You said you take blood thinners: please write which one."))
    if data.pregnancy not in Intake.Pregnancy.values:
        raise IntakeError(_("Please answer the question about pregnancy."))
    activities = _activities_checked(data.activities)
    allergies = data.allergies.strip()
    allergic = bool(allergies) if data.allergic is None else data.allergic
    if allergic and not allergies:
        raise IntakeError(_("You said you have an allergy: please write to what."))
    if not allergic:
        # A "no" stands, whatever was typed beside it ("None", "not that I know").
        allergies = ""
    answers = [
        (ScreeningQuestion.ANTICOAGULANTS, data.blood_thinners, which if data.blood_thinners else ""),
        (ScreeningQuestion.ALLERGY_OTHER, bool(allergies), allergies),
    ]
    if data.pregnancy:
        # "Rather discuss it" is flagged too: the clinician asks before any injection.
        discuss = data.pregnancy == Intake.Pregnancy.DISCUSS
        answers.append(
            (
                ScreeningQuestion.PREGNANCY,
                data.pregnancy != Intake.Pregnancy.NO,
                _("The patient prefers to discuss it with the clinician") if discuss else "",
            )
        )
    with transaction.atomic():
        intake = _intake_create(
            patient=patient, data=data, which=which, allergies=allergies, activities=activities, now=now
        )
        # The intake asks these outright: a "no" (or no allergy named) is an answer too, and a
        # later intake that says so clears an earlier flag. Pregnancy only where the clinic asks.
        ScreeningAnswer.objects.bulk_create(
            ScreeningAnswer(
                patient=patient,
                question=question,
                answer=answer,
                note=note[:250],
                source=ScreeningAnswer.Source.PORTAL,
                answered_at=now,
            )
            for question, answer, note in answers
        )
    return intake


def _intake_create(
    *, patient: Patient, data: IntakeData, which: str, allergies: str, activities: list[dict], now: dt.datetime
) -> Intake:
    return Intake.objects.create(
        patient=patient,
        history=data.history.strip(),
        medicines=data.medicines.strip(),
        blood_thinners=data.blood_thinners,
        blood_thinners_which=which if data.blood_thinners else "",
        pregnancy=data.pregnancy,
        allergies=allergies,
        previous_treatments=data.previous_treatments.strip(),
        imaging=data.imaging.strip(),
        goals=data.goals.strip(),
        activities=activities,
        submitted_at=now,
    )


def _normalised(name: str) -> str:
    return " ".join(name.split()).casefold()


def consent_sign(
    *, patient: Patient, version: int, typed_name: str, agreed: bool, ip: str | None, now: dt.datetime
) -> ConsentSignature:
    """Sign `version` of the consent text, which must be the current one. The typed name must be the
    patient's full name (capitals and spaces do not matter). Signing a version already signed
    returns that first signature."""
    if not agreed:
        raise IntakeError(_("Please tick the box to say you agree."))
    if _normalised(typed_name) != _normalised(patient.full_name):
        raise IntakeError(
            _(
                "The name you typed does not match the name we have for you. "
                "Please type your full name: first name, then last name."
            )
        )
    current = consent_text_current()
    if current is None or current.version != version:
        raise IntakeError(_("The consent text has just been updated. Please read the new version and sign again."))
    already = ConsentSignature.objects.filter(patient=patient, consent_text=current).first()
    if already is not None:
        return already
    try:
        with transaction.atomic():
            return ConsentSignature.objects.create(
                patient=patient,
                consent_text=current,
                typed_name=" ".join(typed_name.split()),
                agreed=True,
                signed_at=now,
                ip=ip,
            )
    except IntegrityError:
        # The same form sent twice at once: the first signature stands.
        return ConsentSignature.objects.get(patient=patient, consent_text=current)


def consent_text_publish(*, text: str, now: dt.datetime) -> ConsentText:
    """A new version of the consent text; earlier versions (and what was signed) stay as they were."""
    text = text.strip()
    if not text:
        raise IntakeError(_("The consent text cannot be empty."))
    try:
        with transaction.atomic():
            latest = ConsentText.objects.aggregate(v=Max("version"))["v"] or 0
            return ConsentText.objects.create(version=latest + 1, text=text, published_at=now)
    except IntegrityError as exc:
        # Two publishers at once: the unique version lets one through.
        raise IntakeError(_("Someone published a version at the same moment. Please try again.")) from exc
