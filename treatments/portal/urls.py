"""The patient portal. These paths are a contract: reminder messages link to them."""

from django.urls import path

from treatments.portal import views as portal
from treatments.portal import views_intake as intake
from treatments.portal import views_offers as offers
from treatments.portal import views_sessions as sessions

app_name = "portal"
urlpatterns = [
    path("<str:token>/", portal.home, name="home"),
    path("<str:token>/sessions/<int:appointment_id>/calendar.ics", portal.session_ics, name="session_ics"),
    path("<str:token>/sessions/<int:appointment_id>/before/", portal.session_before, name="session_before"),
    path("<str:token>/sessions/<int:appointment_id>/confirm/", portal.session_confirm, name="session_confirm"),
    path("<str:token>/sessions/<int:appointment_id>/cancel/", portal.session_cancel, name="session_cancel"),
    path("<str:token>/sessions/<int:appointment_id>/move/", sessions.session_move, name="session_move"),
    path("<str:token>/series/<int:series_id>/next/", sessions.series_next, name="series_next"),
    path("<str:token>/offers/<int:offer_id>/", offers.offer, name="offer"),
    path("<str:token>/intake/", intake.intake, name="intake"),
    path("<str:token>/consent/", intake.consent, name="consent"),
    path("<str:token>/checkin/", portal.checkin, name="checkin"),
    path("<str:token>/aftercare/", portal.aftercare, name="aftercare"),
    path("<str:token>/aftercare/print/", portal.aftercare_print, name="aftercare_print"),
]
