"""The desk's package and missed-visit pages and the money reports (mounted by billing/urls.py)."""

from django.urls import path

from billing import views_reports, views_series

urlpatterns = [
    path("series/<int:series_id>/package/", views_series.package_sell, name="package_sell"),
    path("packages/<int:pk>/", views_series.package_detail, name="package"),
    path("packages/<int:pk>/close/", views_series.package_close, name="package_close"),
    path("redemptions/<int:pk>/reverse/", views_series.redemption_reverse, name="redemption_reverse"),
    path("missed/<int:pk>/", views_series.missed_visit, name="missed_visit"),
    path("reports/", views_reports.report, name="reports"),
    path("reports/billing.csv", views_reports.report_csv, name="report_csv"),
    path("reports/xero-sales-invoices.csv", views_reports.xero_csv, name="report_xero"),
]
