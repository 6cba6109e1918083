"""The superbill of a patient's attended visits outside any series (a consultation booked at
/book/, which books a single visit, never a series): the same paper as a series' superbill
(billing/selectors/documents.py), read by the portal's money page."""

from __future__ import annotations

from billing.models import PatientBillingDetails
from billing.models.documents import VisitCode, VisitCoding, visit_code
from billing.models.fees import Fee
from billing.selectors.documents import ATTENDED, Superbill, own_code, superbill_rows
from billing.selectors.fees import fee_on, visit_fees
from clinic.localtime import local_date
from clinic.models import ClinicSettings
from patients.models import Patient
from treatments.models import Appointment


def visits_outside_series(patient: Patient) -> list[Appointment]:
    """The patient's attended visits outside any series (a consultation booked at /book/), in order."""
    return list(
        Appointment.objects.filter(patient=patient, series__isnull=True, status__in=ATTENDED)
        .select_related("practitioner", "visit_coding", "location")
        .order_by("start", "pk")
    )


def _fee_code(fee: Fee | None, visit: VisitCoding | None) -> VisitCode:
    """A visit outside a series: its own code when the practitioner set one, else the code of its
    type's fee on its day (CPT 99203 for a new patient's visit), else `visit_code`'s M0076."""
    if visit is not None or fee is None:
        return visit_code(series=None, visit=visit)
    return VisitCode(fee.get_code_system_display(), fee.code, fee.modifier[:2], 1)


def visits_superbill(*, patient: Patient) -> Superbill:
    """The superbill of the patient's attended visits outside any series: the same paper as a
    series', each visit with place of service 11, its code, charge and what was paid (its own
    invoices: a deposit paid online at /book/ shows). No series, so no diagnosis codes."""
    visits = visits_outside_series(patient)
    fees = visit_fees({a.appointment_type_id for a in visits}) if visits else []
    billed = {
        a.pk: _fee_code(fee_on(fees, appointment_type_id=a.appointment_type_id, day=local_date(a.start)), own_code(a))
        for a in visits
    }
    return Superbill(
        clinic=ClinicSettings.load(),
        series=None,
        patient=patient,
        details=PatientBillingDetails.objects.filter(patient_id=patient.pk).first(),
        coding=None,
        diagnoses=[],
        visits=superbill_rows(visits, billed, pointers=""),
    )
