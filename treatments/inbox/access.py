"""Ids from the inbox's buttons become objects here, or 404 (staff roles only)."""

from clinic.access import object_or_404
from patients.models import ConsultationRequest
from treatments.models import PainCheckIn, SeriesRequest


def consultation_request_for(user, pk: int | str) -> ConsultationRequest:
    return object_or_404(ConsultationRequest.objects.all(), pk, user=user)


def alert_for(user, pk: int | str) -> PainCheckIn:
    """A check-in that reported a warning sign; one without is not an alert."""
    return object_or_404(PainCheckIn.objects.exclude(red_flags=[]), pk, user=user)


def series_request_for(user, pk: int | str) -> SeriesRequest:
    return object_or_404(SeriesRequest.objects.all(), pk, user=user)
