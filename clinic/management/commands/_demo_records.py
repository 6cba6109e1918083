"""Signed session records for the demo's past sessions, so the practitioner's pages, a series'
progress and the outcome charts have something to show. Written with the ORM like the bookings;
the messaging hook for signing is deliberately not called: it would plan aftercare for sessions
weeks in the past, and the first sweep would send all of it at once."""

import datetime as dt
import random
from decimal import Decimal

from clinic.localtime import day_bounds, local_date
from treatments.models import Appointment, InjectionSite, OutcomeScore, SessionRecord

# Where the needle goes, by protocol condition: shown on records, never in a message.
REGIONS = {
    "knee-oa": ("Knee", "Intra-articular"),
    "low-back": ("Lumbar spine", "Iliolumbar ligaments"),
    "sacroiliac": ("Sacroiliac joint", "Intra-articular"),
    "tennis-elbow": ("Elbow", "Common extensor origin"),
    "achilles": ("Achilles tendon", "Paratenon"),
    "rotator-cuff": ("Shoulder", "Supraspinatus insertion"),
    "plantar-fasciitis": ("Foot", "Plantar fascia origin"),
    "osgood-schlatter": ("Knee", "Tibial tubercle"),
}


def sign_past_sessions(*, now: dt.datetime) -> int:
    """A signed record, one injection site and a pain score for every completed session of a
    series that ended before today; today's are left for the practitioner to write."""
    rng = random.Random(11)
    today_start, _end = day_bounds(local_date(now))
    sessions = list(
        Appointment.objects.filter(
            status=Appointment.Status.COMPLETED, series__isnull=False, end__lt=today_start, record__isnull=True
        )
        .select_related("series__protocol", "practitioner")
        .order_by("start")
    )
    for appt in sessions:
        # Filtered on series__isnull=False; a series step is set exactly when the series is (a constraint).
        series, step = appt.series, appt.series_step
        assert series is not None and step is not None
        protocol = series.protocol
        baseline = 7 + series.pk % 3
        pain_before = max(1, baseline - (step - 1) * 2 + rng.randint(-1, 1))
        signed_at = appt.end + dt.timedelta(minutes=20)
        record = SessionRecord.objects.create(
            appointment=appt,
            status=SessionRecord.Status.SIGNED,
            consent_confirmed=True,
            screening_rechecked=True,
            pain_before=pain_before,
            pain_after=max(0, pain_before - 2),
            product_lot=f"DX-{2400 + series.pk}",
            created_by=appt.practitioner.user,
            created_at=appt.end,
            signed_by=appt.practitioner.user,
            signed_at=signed_at,
        )
        region, structure = REGIONS.get(protocol.condition, ("Other", ""))
        InjectionSite.objects.create(
            record=record,
            region=region,
            structure=structure,
            side=series.side,
            dextrose_percent=Decimal("20.0") if step > 1 else Decimal("15.0"),
            anaesthetic="lidocaine",
            anaesthetic_percent=Decimal("0.50"),
            volume_ml=Decimal("3.0"),
            needle_gauge=27,
        )
        OutcomeScore.objects.create(
            patient_id=appt.patient_id,
            series=appt.series,
            appointment=appt,
            measure=OutcomeScore.Measure.PAIN_NRS,
            value=Decimal(pain_before),
            recorded_at=appt.start,
            source=OutcomeScore.Source.SESSION,
            recorded_by=appt.practitioner.user,
        )
    return len(sessions)
