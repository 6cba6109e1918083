"""Billing's tables, by topic. Money is always an integer number of minor units (cents, pence) of
the clinic's one currency (settings.CLINIC_CURRENCY); see billing/README.md.

Rows that are a ledger (issued invoices, credit notes, payments, refunds, write-offs, patient
credit, the day's close, the history) are written only by billing.services and never deleted."""

from .days import DayClose, DayCloseLine
from .documents import BillingCode, GoodFaithEstimate, PatientBillingDetails, SeriesCoding, VisitCoding
from .fees import CodeSystem, Fee
from .history import BillingEvent
from .invoices import CreditNote, CreditNoteLine, Invoice, InvoiceLine, WriteOff
from .online import CheckoutAttempt, GatewayEvent, SavedCard
from .packages import Package, PackageRedemption, RefundRule
from .payments import Allocation, PatientCredit, Payment, PaymentMethod, Refund
from .policies import BillingPolicy, CancellationPolicy, Charge, DepositPolicy, MissedVisit

__all__ = [
    "Allocation",
    "BillingCode",
    "BillingEvent",
    "BillingPolicy",
    "CheckoutAttempt",
    "CancellationPolicy",
    "Charge",
    "CodeSystem",
    "CreditNote",
    "CreditNoteLine",
    "DayClose",
    "DayCloseLine",
    "DepositPolicy",
    "Fee",
    "GatewayEvent",
    "GoodFaithEstimate",
    "Invoice",
    "InvoiceLine",
    "MissedVisit",
    "Package",
    "PackageRedemption",
    "PatientBillingDetails",
    "PatientCredit",
    "Payment",
    "PaymentMethod",
    "Refund",
    "RefundRule",
    "SavedCard",
    "SeriesCoding",
    "VisitCoding",
    "WriteOff",
]
