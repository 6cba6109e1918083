"""A small clinic with a fee schedule, a patient, a visit and an issued invoice, made through
billing's own services (as the desk would)."""

import datetime as dt
import uuid
from dataclasses import dataclass

from billing import services
from billing.models import Fee, Invoice
from tests.factories import AppointmentFactory, LocationFactory, PatientFactory, PractitionerFactory, appointment_type
from tests.treatments.factories_desk import local

NOW = local(2026, 5, 4, 10)  # a Monday morning in the clinic's zone
TODAY = dt.date(2026, 5, 4)


def key() -> uuid.UUID:
    return uuid.uuid4()


def visit_fee(*, price: int = 15000, tax_rate_bp: int = 0, inclusive: bool = False, slug: str = "injection") -> Fee:
    return Fee.objects.create(
        appointment_type=appointment_type(slug),
        code_system="hcpcs",
        code="M0076",
        description="Prolotherapy injection session",
        unit_price=price,
        tax_rate_bp=tax_rate_bp,
        tax_inclusive=inclusive,
        valid_from=dt.date(2026, 1, 1),
    )


@dataclass
class Desk:
    location: object
    practitioner: object
    patient: object
    appointment: object
    fee: Fee


def desk_setup(*, price: int = 15000) -> Desk:
    location = LocationFactory(name="Main Street")
    practitioner = PractitionerFactory(display_name="Dr Ada Stone")
    patient = PatientFactory(first_name="Maria", last_name="Lopez", email="maria@example.com")
    appointment = AppointmentFactory(
        patient=patient,
        practitioner=practitioner,
        location=location,
        start=local(2026, 5, 4, 9),
        end=local(2026, 5, 4, 9, 45),
        status="completed",
    )
    return Desk(location, practitioner, patient, appointment, visit_fee(price=price))


def issued_invoice(desk: Desk, *, amount: int = 15000, now: dt.datetime = NOW, by=None) -> Invoice:
    """A free-line invoice for `amount`, issued."""
    invoice = services.invoice_create_draft(patient_id=desk.patient.pk, location_id=desk.location.pk, by=by, now=now)
    services.invoice_add_line(
        invoice_id=invoice.pk, version=None, description="Consultation", unit_price=amount, by=by, now=now
    )
    return services.invoice_issue(invoice_id=invoice.pk, version=None, by=by, now=now)


def pay(desk: Desk, invoice: Invoice, amount: int, *, method: str = "cash", now: dt.datetime = NOW, by=None, **kw):
    return services.payment_take(
        patient_id=desk.patient.pk,
        location_id=desk.location.pk,
        method=method,
        amount=amount,
        allocations=[services.AllocationRequest(invoice_id=invoice.pk, amount=min(amount, invoice.balance))],
        attempt_key=kw.pop("attempt_key", None) or key(),
        by=by,
        now=now,
        **kw,
    )
