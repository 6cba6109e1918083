"""/sms/: the SMS provider's webhook (patients' replies by text)."""

from django.urls import path

from treatments.inbox import views_sms

urlpatterns = [path("inbound/", views_sms.sms_inbound, name="sms_inbound")]
