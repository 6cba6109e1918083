from django.urls import path

from .urls_online import urlpatterns as online_urlpatterns
from .urls_series import urlpatterns as series_urlpatterns
from .views import accounts, checkout, days, documents, invoices, payments, portal

app_name = "billing"
PDF = {"fmt": "pdf"}  # the same view, as a PDF download

urlpatterns = [
    path("", invoices.invoices, name="invoices"),
    path("invoices/new/", invoices.invoice_new, name="invoice_new"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/lines/", invoices.invoice_add_line, name="invoice_add_line"),
    path("invoices/<int:pk>/lines/<int:line_id>/remove/", invoices.invoice_remove_line, name="invoice_remove_line"),
    path("invoices/<int:pk>/issue/", invoices.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/discard/", invoices.invoice_discard, name="invoice_discard"),
    path("invoices/<int:pk>/void/", invoices.invoice_void, name="invoice_void"),
    path("invoices/<int:pk>/write-off/", invoices.invoice_write_off, name="invoice_write_off"),
    path("invoices/<int:pk>/credit/", invoices.invoice_credit, name="invoice_credit"),
    path("invoices/<int:pk>/keep-as-credit/", invoices.invoice_keep_credit, name="invoice_keep_credit"),
    path("pay/", payments.payment_new, name="payment_new"),
    path("payments/<int:pk>/", payments.payment_detail, name="payment"),
    path("payments/<int:pk>/receipt/", payments.receipt_print, name="receipt"),
    path("payments/<int:pk>/receipt/email/", payments.receipt_email, name="receipt_email"),
    path("payments/<int:pk>/refund/", payments.refund_new, name="refund_new"),
    path("checkout/<int:appointment_id>/", checkout.checkout, name="checkout"),
    path("checkout/<int:appointment_id>/invoice/", checkout.checkout_invoice, name="checkout_invoice"),
    path("day/", days.day_close, name="day_close"),
    # The papers (issue 23): superbill, statement, receipt PDF, Good Faith Estimate; the codes form.
    path("series/<int:series_id>/superbill/", documents.series_superbill, name="superbill"),
    path("series/<int:series_id>/superbill.pdf", documents.series_superbill, PDF, name="superbill_file"),
    path("series/<int:series_id>/coding/", documents.series_coding, name="series_coding"),
    path("series/<int:series_id>/coding/visits/", documents.visit_coding, name="visit_coding"),
    path("patients/<int:patient_id>/details/", accounts.billing_details, name="billing_details"),
    path("patients/<int:patient_id>/reminder/", accounts.reminder_send, name="balance_reminder"),
    path("patients/<int:patient_id>/statement/", documents.patient_statement, name="statement"),
    path("patients/<int:patient_id>/statement.pdf", documents.patient_statement, PDF, name="statement_file"),
    path("payments/<int:pk>/receipt.pdf", documents.receipt_pdf, name="receipt_pdf"),
    path("estimates/<int:pk>/", documents.estimate, name="estimate"),
    path("estimates/<int:pk>/estimate.pdf", documents.estimate, PDF, name="estimate_file"),
    # The patient's money page and papers, by their portal link (billing/views/portal.py).
    path("portal/<str:token>/", portal.money, name="portal_money"),
    path("portal/<str:token>/statement.pdf", portal.portal_statement, PDF, name="portal_statement"),
    path("portal/<str:token>/statement/", portal.portal_statement, name="portal_statement_print"),
    path("portal/<str:token>/receipts/<int:payment_id>.pdf", portal.portal_receipt, name="portal_receipt"),
    path(
        "portal/<str:token>/series/<int:series_id>/superbill.pdf",
        portal.portal_superbill,
        PDF,
        name="portal_superbill",
    ),
    path(
        "portal/<str:token>/series/<int:series_id>/superbill/",
        portal.portal_superbill,
        name="portal_superbill_print",
    ),
    # The visits outside any series (a consultation booked at /book/): the link's own patient.
    path("portal/<str:token>/visits/superbill.pdf", portal.portal_visits_superbill, PDF, name="portal_visits_sb"),
    path("portal/<str:token>/visits/superbill/", portal.portal_visits_superbill, name="portal_visits_sb_print"),
    path("portal/<str:token>/estimates/<int:estimate_id>.pdf", portal.portal_estimate, PDF, name="portal_estimate"),
    # Packages, missed visits and the money reports (billing/urls_series.py).
    *series_urlpatterns,
    # Paying online: the portal's pages and Stripe's webhook (billing/urls_online.py).
    *online_urlpatterns,
]
