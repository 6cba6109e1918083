"""A knee series of five sessions four weeks apart with its fees (a single visit and the 5-session
package), booked and sold through the services as the desk would, and the treatments' events
delivered (their receivers run on commit)."""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from billing import services
from billing.models import Fee, Invoice
from billing.services import AllocationRequest
from billing.services.packages import package_sell
from tests.factories import appointment_type, protocol
from tests.treatments.factories_desk import book_series, clinic_setup, local
from treatments.models import Appointment, TreatmentSeries

SOLD = local(2026, 5, 1, 12)  # a Friday
STARTS = [local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30), local(2026, 7, 28), local(2026, 8, 25)]
VISIT = 15000  # $150.00 a single visit
PACKAGE = 60000  # $600.00 for five


def fees(*, visit: int = VISIT, package: int = PACKAGE, sessions: int = 5) -> tuple[Fee, Fee]:
    visit_fee = Fee.objects.create(
        appointment_type=appointment_type("injection"),
        code_system="hcpcs",
        code="M0076",
        description="Prolotherapy session",
        unit_price=visit,
        valid_from=dt.date(2026, 1, 1),
    )
    package_fee = Fee.objects.create(
        protocol=protocol(),
        package_sessions=sessions,
        code="PKG5",
        description="Series package, 5 sessions",
        unit_price=package,
        valid_from=dt.date(2026, 1, 1),
    )
    return visit_fee, package_fee


@dataclass
class Series:
    practitioner: object
    location: object
    patient: object
    series: TreatmentSeries
    sessions: list[Appointment] = field(default_factory=list)


def knee_series(*, by=None, now: dt.datetime = SOLD, priced: bool = True) -> Series:
    if priced:
        fees()
    practitioner, location, patient = clinic_setup()
    series = book_series((practitioner, location, patient), STARTS, now=now)
    if by is not None:
        TreatmentSeries.objects.filter(pk=series.pk).update(created_by=by)
    sessions = list(series.appointments.order_by("series_step"))
    return Series(practitioner, location, patient, series, sessions)


def sell(setup: Series, *, by=None, now: dt.datetime = SOLD):
    return package_sell(series_id=setup.series.pk, attempt_key=uuid.uuid4(), by=by, now=now)


def pay_all(setup, invoice: Invoice, *, by, amount: int | None = None, now: dt.datetime = SOLD):
    return services.payment_take(
        patient_id=setup.patient.pk,
        location_id=setup.location.pk,
        method="card_terminal",
        amount=amount or invoice.balance,
        allocations=[AllocationRequest(invoice.pk, amount or invoice.balance)],
        attempt_key=uuid.uuid4(),
        reference="T-1",
        by=by,
        now=now,
    )
