"""What the patient's papers say (issue 23): the superbill, the statement of account and the
portal's money page, each read in a fixed number of queries. Pure arithmetic on integers; the
PDF and print pages are billing/documents.py and the views."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from billing.models import (
    BillingCode,
    GoodFaithEstimate,
    Invoice,
    Package,
    PackageRedemption,
    PatientBillingDetails,
    Payment,
    SeriesCoding,
)
from billing.models.documents import VisitCode, VisitCoding, visit_code
from billing.selectors.fees import fee_on, visit_fees
from billing.selectors.packages import package_paid
from clinic.localtime import local_date
from clinic.models import ClinicSettings, Practitioner
from patients.models import Patient
from treatments.models import Appointment, TreatmentSeries

PLACE_OF_SERVICE = "11"  # CMS place-of-service code: office
# A visit is on the superbill once the patient came: checked in, or completed (its record signed).
ATTENDED = (Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED)
# The patient may dispute a bill that exceeds the estimate by this much or more (45 CFR 149.620).
DISPUTE_THRESHOLD = 40000  # $400.00 in cents
POINTER_LETTERS = "ABCDEFGHIJKL"


def spread(total: int, parts: int) -> list[int]:
    """`total` cut into `parts` integer shares that add up to it exactly, the earlier shares taking
    the leftover minor units one each ($600.00 / 7 → 85.72 ×3, 85.71 ×4)."""
    if parts <= 0:
        return []
    share, left = divmod(total, parts)
    return [share + (1 if i < left else 0) for i in range(parts)]


def paid_in_order(charges: list[int], paid: int) -> list[int]:
    """What was paid, laid against the charges from the first: each visit is paid up to its charge."""
    out = []
    for charge in charges:
        part = max(0, min(charge, paid))
        out.append(part)
        paid -= part
    return out


@dataclass(frozen=True)
class SuperbillVisit:
    appointment: Appointment
    date: dt.date
    system: str
    code: str
    modifier: str
    units: int
    pointers: str
    charge: int
    paid: int
    package: bool = False


@dataclass
class Superbill:
    clinic: ClinicSettings
    series: TreatmentSeries | None  # None: the visits outside any series (visits_superbill)
    patient: Patient
    details: PatientBillingDetails | None
    coding: SeriesCoding | None
    diagnoses: list[tuple[str, str]]  # (pointer letter, ICD-10 code)
    visits: list[SuperbillVisit] = field(default_factory=list)

    @property
    def provider(self) -> Practitioner | None:
        """The series' practitioner; for visits outside a series, the first visit's."""
        if self.series is not None:
            return self.series.practitioner
        return self.visits[0].appointment.practitioner if self.visits else None

    @property
    def practice_address(self) -> str:
        """The clinic's address; where setup left it empty, the address of the first visit's place."""
        if self.clinic.address or not self.visits:
            return self.clinic.address
        return self.visits[0].appointment.location.address

    @property
    def total_charge(self) -> int:
        return sum(v.charge for v in self.visits)

    @property
    def total_paid(self) -> int:
        return sum(v.paid for v in self.visits)

    @property
    def balance(self) -> int:
        return self.total_charge - self.total_paid

    @property
    def has_package(self) -> bool:
        return any(v.package for v in self.visits)

    @property
    def medicare_code(self) -> bool:
        return self.coding is None or self.coding.code == BillingCode.M0076


def _visit_money(visits: list[Appointment]) -> dict[int, tuple[int, int, bool]]:
    """appointment id → (charge, paid, from the package). A package's price is spread over its
    sessions (price ÷ sessions each, the earlier sessions taking the leftover cents); what was paid
    for it is laid against its attended sessions in order. A visit checked out shows its invoices'
    totals (check-out, deposit) and what was paid on them; a visit not yet checked out shows the fee
    schedule's price for its type on its date, and what its deposit paid. Queries: 4 (+2 per package)."""
    ids = [a.pk for a in visits]
    redemptions = list(
        PackageRedemption.objects.filter(
            appointment_id__in=ids, reversed_at__isnull=True, kind=PackageRedemption.Kind.ATTENDED
        ).select_related("package")
    )
    by_package: dict[int, list[int]] = {}
    packages: dict[int, Package] = {}
    for r in redemptions:
        by_package.setdefault(r.package_id, []).append(r.appointment_id)
        packages[r.package_id] = r.package
    order = {a.pk: i for i, a in enumerate(visits)}
    money: dict[int, tuple[int, int, bool]] = {}
    for package_id, appointment_ids in by_package.items():
        package = packages[package_id]
        appointment_ids.sort(key=order.__getitem__)
        shares = spread(package.price, package.sessions)[: len(appointment_ids)]
        parts = paid_in_order(shares, package_paid(package))
        for appointment_id, share, part in zip(appointment_ids, shares, parts, strict=True):
            money[appointment_id] = (share, part, True)
    invoiced: dict[int, list[Invoice]] = {}
    for invoice in Invoice.objects.filter(
        appointment_id__in=[i for i in ids if i not in money],
        kind__in=(Invoice.Kind.REGULAR, Invoice.Kind.DEPOSIT),
        status__in=(Invoice.Status.ISSUED, Invoice.Status.PAID),
    ):
        invoiced.setdefault(invoice.appointment_id or 0, []).append(invoice)
    # Not checked out yet (no visit invoice; perhaps its deposit): the fee schedule's price.
    unbilled = [a for a in visits if a.pk not in money and not _checked_out(invoiced.get(a.pk, []))]
    fees = visit_fees({a.appointment_type_id for a in unbilled}) if unbilled else []
    for appointment in visits:
        if appointment.pk in money:
            continue
        invoices = invoiced.get(appointment.pk, [])
        charge: int = sum(i.total for i in invoices)
        paid: int = sum(max(0, min(i.total, i.total - i.balance)) for i in invoices)
        if not _checked_out(invoices):
            day = local_date(appointment.start)
            fee = fee_on(fees, appointment_type_id=appointment.appointment_type_id, day=day)
            charge = max(charge, fee.unit_price if fee else 0)
        money[appointment.pk] = (charge, paid, False)
    return money


def _checked_out(invoices: list[Invoice]) -> bool:
    return any(i.kind == Invoice.Kind.REGULAR for i in invoices)


def attended_visits(series: TreatmentSeries) -> list[Appointment]:
    """The series' attended visits in order, each with its practitioner and its own code if any
    (one query)."""
    return list(
        series.appointments.filter(status__in=ATTENDED)
        .select_related("practitioner", "visit_coding", "location")
        .order_by("start", "pk")
    )


def own_code(appointment: Appointment) -> VisitCoding | None:
    """The visit's own code, read from `attended_visits`' join (no query)."""
    return getattr(appointment, "visit_coding", None)


@dataclass(frozen=True)
class VisitCodeRow:
    appointment: Appointment
    billed: VisitCode


def visit_codes(*, series: TreatmentSeries) -> tuple[SeriesCoding | None, list[VisitCodeRow]]:
    """The codes-per-visit page: the series' coding and each attended visit with what it is billed
    with now (its own code, else the series'). Two queries."""
    coding = SeriesCoding.objects.filter(series_id=series.pk).first()
    rows = [VisitCodeRow(a, visit_code(series=coding, visit=own_code(a))) for a in attended_visits(series)]
    return coding, rows


def superbill(*, series: TreatmentSeries) -> Superbill:
    """The series' superbill: only attended visits, each with place of service 11, the
    practitioner's code (M0076 unless they chose 20550/20610 for the payer — for the series, or
    for this visit: `visit_code` decides), modifier and units,
    the diagnosis pointers, its charge and what was paid."""
    coding = SeriesCoding.objects.filter(series_id=series.pk).first()
    details = PatientBillingDetails.objects.filter(patient_id=series.patient_id).first()
    diagnoses = list(zip(POINTER_LETTERS, coding.diagnosis_list if coding else [], strict=False))
    pointers = "".join(letter for letter, _code in diagnoses[:4])  # a claim line points at up to four
    visits = attended_visits(series)
    billed = {a.pk: visit_code(series=coding, visit=own_code(a)) for a in visits}
    return Superbill(
        clinic=ClinicSettings.load(),
        series=series,
        patient=series.patient,
        details=details,
        coding=coding,
        diagnoses=diagnoses,
        visits=superbill_rows(visits, billed, pointers=pointers),
    )


def superbill_rows(visits: list[Appointment], billed: dict[int, VisitCode], *, pointers: str) -> list[SuperbillVisit]:
    money = _visit_money(visits)
    return [
        SuperbillVisit(
            appointment=a,
            date=local_date(a.start),
            system=billed[a.pk].system,
            code=billed[a.pk].code,
            modifier=billed[a.pk].modifier,
            units=billed[a.pk].units,
            pointers=pointers,
            charge=money[a.pk][0],
            paid=money[a.pk][1],
            package=money[a.pk][2],
        )
        for a in visits
    ]


@dataclass
class Statement:
    clinic: ClinicSettings
    patient: Patient
    invoices: list[Invoice]
    payments: list[Payment]
    as_of: dt.date

    @property
    def balance(self) -> int:
        return sum(i.balance for i in self.invoices if i.status != Invoice.Status.VOID)


def statement(*, patient: Patient, now: dt.datetime) -> Statement:
    """The statement of account: every issued invoice (newest first) with its balance, every payment."""
    invoices = list(
        Invoice.objects.filter(patient=patient)
        .exclude(status=Invoice.Status.DRAFT)
        .select_related("location")
        .order_by("-issue_date", "-id")
    )
    payments = list(Payment.objects.filter(patient=patient).order_by("-taken_at", "-id"))
    return Statement(
        clinic=ClinicSettings.load(), patient=patient, invoices=invoices, payments=payments, as_of=local_date(now)
    )


@dataclass(frozen=True)
class SeriesMoney:
    series: TreatmentSeries
    package: Package | None
    used: int
    attended: int


@dataclass
class MoneyPage:
    statement: Statement
    series: list[SeriesMoney]
    estimates: list[GoodFaithEstimate]
    visits_attended: int = 0  # attended visits outside any series: their superbill

    @property
    def open_invoices(self) -> list[Invoice]:
        return [i for i in self.statement.invoices if i.status == Invoice.Status.ISSUED and i.balance > 0]


def money_page(*, patient: Patient, now: dt.datetime) -> MoneyPage:
    """The portal's money page: balance, invoices, payments (receipts), each series with its package
    ("3 of 5 sessions used") and superbill, the visits outside a series (their superbill), the Good
    Faith Estimates. Fixed queries: 6."""
    series = list(
        TreatmentSeries.objects.filter(patient=patient)
        .select_related("protocol")
        .order_by("-created_at")
        .prefetch_related(
            "packages",
        )
    )
    ids = [s.pk for s in series]
    used: dict[int, int] = {}
    for package_id in PackageRedemption.objects.filter(
        package__series_id__in=ids, reversed_at__isnull=True
    ).values_list("package_id", flat=True):
        used[package_id] = used.get(package_id, 0) + 1
    attended: dict[int | None, int] = {}  # None: the visits outside any series
    for series_id in Appointment.objects.filter(patient=patient, status__in=ATTENDED).values_list(
        "series_id", flat=True
    ):
        attended[series_id] = attended.get(series_id, 0) + 1
    rows = []
    for s in series:
        packages = [p for p in s.packages.all() if p.status != Package.Status.CLOSED] or list(s.packages.all())
        package = packages[0] if packages else None
        rows.append(
            SeriesMoney(
                series=s,
                package=package,
                used=used.get(package.pk, 0) if package else 0,
                attended=attended.get(s.pk, 0),
            )
        )
    estimates = list(GoodFaithEstimate.objects.filter(Q(patient=patient)).order_by("-created_at"))
    return MoneyPage(
        statement=statement(patient=patient, now=now),
        series=rows,
        estimates=estimates,
        visits_attended=attended.get(None, 0),
    )


@dataclass(frozen=True)
class EstimateOverrun:
    estimate: GoodFaithEstimate
    billed: int

    @property
    def over(self) -> int:
        return self.billed - self.estimate.total


def estimates_exceeded(*, patient_ids: list[int] | None = None, series_id: int | None = None) -> list[EstimateOverrun]:
    """The Good Faith Estimates a series' bills have exceeded by the dispute threshold ($400) or more:
    billed = the series' issued invoices (deposit, package, visits, fees) less their credit notes.
    One query, however many estimates."""
    from billing.models import CreditNote

    invoiced = (
        Invoice.objects.filter(series_id=OuterRef("series_id"))
        .exclude(status=Invoice.Status.DRAFT)
        .order_by()
        .values("series_id")
        .annotate(s=Sum("total"))
        .values("s")
    )
    credited = (
        CreditNote.objects.filter(invoice__series_id=OuterRef("series_id"))
        .order_by()
        .values("invoice__series_id")
        .annotate(s=Sum("total"))
        .values("s")
    )
    rows = GoodFaithEstimate.objects.annotate(
        billed=Coalesce(Subquery(invoiced, output_field=BigIntegerField()), 0, output_field=BigIntegerField())
        - Coalesce(Subquery(credited, output_field=BigIntegerField()), 0, output_field=BigIntegerField())
    ).filter(billed__gte=F("total") + DISPUTE_THRESHOLD)
    if patient_ids is not None:
        rows = rows.filter(patient_id__in=patient_ids)
    if series_id is not None:
        rows = rows.filter(series_id=series_id)
    return [EstimateOverrun(estimate=row, billed=int(row.billed)) for row in rows.order_by("pk")]
