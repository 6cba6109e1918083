"""Writes for the public consultation request, and the plain guidance a self-check ends with."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinic.integrity import integrity_message

from .models import ConsultationRequest

REQUEST_LIMIT_PER_HOUR = 5


class ConsultationError(Exception):
    pass


@dataclass(frozen=True)
class Guidance:
    headline: str
    points: list[str]


def self_check_guidance(*, answers: dict[str, bool]) -> Guidance:
    """Plain next steps for the answers given. It never says what someone has or that they can or
    cannot be treated: only a practitioner decides that, at a consultation."""
    points: list[str] = []
    if answers.get("infection"):
        points.append(_("An infection should be treated and gone before any injection. Please see your doctor first."))
    if answers.get("blood_thinners"):
        points.append(
            _("Blood thinners and bleeding problems need a careful look. Do not stop any medicine on your own.")
        )
    if answers.get("allergy"):
        points.append(_("Tell us about your allergy: some solutions can be changed."))
    if answers.get("pregnancy"):
        points.append(_("During pregnancy we are extra careful. Please talk it through with us and your own doctor."))
    if answers.get("cancer_pain"):
        points.append(_("Pain caused by cancer needs care from your own medical team first. Please speak to them."))
    if not answers.get("long_pain"):
        points.append(
            _("Prolotherapy is mostly used for pain that has lasted a long time. A consultation can tell you more.")
        )
    if points:
        headline = _("Some of your answers are worth talking over with a practitioner before any treatment.")
    else:
        headline = _("Prolotherapy may be worth discussing with a practitioner.")
    points.append(
        _("This self-check is not a diagnosis. Only a consultation can tell whether the treatment suits you.")
    )
    return Guidance(headline=headline, points=points)


def consultation_request_create(
    *,
    name: str,
    email: str,
    phone: str,
    preferred_times: str,
    message: str,
    consent: bool,
    self_check: dict[str, bool],
    now: dt.datetime,
) -> ConsultationRequest:
    try:
        with transaction.atomic():
            return ConsultationRequest.objects.create(
                name=name,
                email=email,
                phone=phone,
                preferred_times=preferred_times,
                message=message,
                consent_to_contact=consent,
                self_check=self_check,
                created_at=now,
            )
    except IntegrityError as exc:
        # The constraints: consent given and at least one way to reach the person.
        raise ConsultationError(integrity_message(exc)) from exc


def consultation_request_mark(*, request_obj: ConsultationRequest, status: str, by: User, now: dt.datetime) -> None:
    with transaction.atomic():
        locked = ConsultationRequest.objects.select_for_update().get(pk=request_obj.pk)
        locked.status = status
        locked.handled_by = by
        locked.handled_at = now
        locked.save(update_fields=["status", "handled_by", "handled_at"])
    request_obj.status, request_obj.handled_by, request_obj.handled_at = status, by, now
