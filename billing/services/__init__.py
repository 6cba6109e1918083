"""Every money write. Keyword-only, typed, each owns its transaction, takes `now`, and writes a
history row (billing.models.BillingEvent) and an audit entry (clinic.audit)."""

from ._common import BillingError, StaleInvoice
from .checkout import checkout_invoice, receipt_email, receipt_printed
from .days import business_date_for, day_close, day_totals
from .invoices import (
    CreditLine,
    credit_note_issue,
    invoice_add_appointment_line,
    invoice_add_fee_line,
    invoice_add_line,
    invoice_create_draft,
    invoice_delete_draft,
    invoice_issue,
    invoice_remove_line,
    invoice_void,
    invoice_write_off,
)
from .payments import (
    AllocationRequest,
    PaymentResult,
    credit_balance,
    payment_take,
    refund_issue,
    refund_sources,
)

__all__ = [
    "AllocationRequest",
    "BillingError",
    "CreditLine",
    "PaymentResult",
    "StaleInvoice",
    "business_date_for",
    "checkout_invoice",
    "credit_balance",
    "credit_note_issue",
    "day_close",
    "day_totals",
    "invoice_add_appointment_line",
    "invoice_add_fee_line",
    "invoice_add_line",
    "invoice_create_draft",
    "invoice_delete_draft",
    "invoice_issue",
    "invoice_remove_line",
    "invoice_void",
    "invoice_write_off",
    "payment_take",
    "receipt_email",
    "receipt_printed",
    "refund_issue",
    "refund_sources",
]
