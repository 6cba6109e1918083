"""Every money write. Keyword-only, typed, each owns its transaction, takes `now`, and writes a
history row (billing.models.BillingEvent) and an audit entry (clinic.audit)."""

from billing.selectors.ledger import business_date_for, credit_balance, day_totals
from billing.selectors.refunds import refund_sources

from ._common import BillingError, StaleInvoice
from .checkout import checkout_invoice, receipt_email
from .credit_notes import CreditLine, credit_note_issue, invoice_void, invoice_write_off
from .days import day_close
from .invoice_lines import invoice_add_appointment_line, invoice_add_fee_line, invoice_add_line, invoice_remove_line
from .invoices import invoice_create_draft, invoice_delete_draft, invoice_issue
from .payments import AllocationRequest, PaymentResult, payment_take
from .refunds import invoice_keep_as_credit, refund_issue

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
    "invoice_keep_as_credit",
    "invoice_remove_line",
    "invoice_void",
    "invoice_write_off",
    "payment_take",
    "receipt_email",
    "refund_issue",
    "refund_sources",
]
