"""Xero's sales-invoice import file: one row per invoice line of the invoices issued in a period,
in the columns of Xero's own template (the starred ones are required). A voided invoice is left
out (its credit note is entered in Xero by hand). Amounts are gross (import
the file as "Tax inclusive"): each line is written as quantity 1 at its gross total, with the
quantity in the description, so no amount is ever divided. Two queries: the lines (with their
invoice and patient) and the billing policy's account codes. Cells are escaped by the caller
(clinic.csv_cells)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from billing.models import BillingPolicy, Invoice, InvoiceLine
from billing.money import currency, to_decimal

HEADER = [
    "*ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "*InvoiceNumber",
    "Reference",
    "*InvoiceDate",
    "*DueDate",
    "InventoryItemCode",
    "*Description",
    "*Quantity",
    "*UnitAmount",
    "Discount",
    "*AccountCode",
    "*TaxType",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
    "Currency",
    "BrandingTheme",
]


def _date(day: dt.date | None) -> str:
    """Xero reads the date in the organisation's regional order: month first in the US."""
    if day is None:
        return ""
    return day.strftime("%m/%d/%Y" if settings.CLINIC_COUNTRY == "US" else "%d/%m/%Y")


def xero_rows(*, first: dt.date, last: dt.date, practitioner_id: int | None = None) -> list[list[object]]:
    policy = BillingPolicy.current()
    lines = InvoiceLine.objects.filter(
        invoice__issue_date__gte=first,
        invoice__issue_date__lte=last,
        invoice__status__in=(Invoice.Status.ISSUED, Invoice.Status.PAID),
    ).select_related("invoice__patient", "invoice__location")
    if practitioner_id is not None:
        lines = lines.filter(invoice__practitioner_id=practitioner_id)
    rows: list[list[object]] = [list(HEADER)]
    for line in lines.order_by("invoice__number", "position", "id"):
        invoice, patient = line.invoice, line.invoice.patient
        description = line.description if line.quantity == 1 else f"{line.description} × {line.quantity}"
        rows.append(
            [
                patient.full_name,
                patient.email,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                invoice.display_number,
                invoice.location.name,
                _date(invoice.issue_date),
                _date(invoice.due_date),
                line.code,
                description,
                1,
                to_decimal(line.line_total),
                "",
                policy.xero_account_code,
                policy.xero_tax_type_taxed if line.line_tax else policy.xero_tax_type,
                "",
                "",
                "",
                "",
                currency(),
                "",
            ]
        )
    return rows
