"""Paying online (issue 23): the portal's pages by the patient's link, and Stripe's webhook."""

from django.urls import path

from .views import online, online_portal

urlpatterns = [
    path("portal/<str:token>/bills/", online.portal_bills, name="portal_bills"),
    path("portal/<str:token>/bills/<int:invoice_id>/pay/", online.portal_pay, name="portal_pay"),
    path("portal/<str:token>/paid/<uuid:key>/", online.portal_paid, name="portal_paid"),
    path("portal/<str:token>/card/", online.portal_card, name="portal_card"),
    path("portal/<str:token>/card/<int:card_id>/remove/", online_portal.portal_card_remove, name="portal_card_remove"),
    path("portal/<str:token>/series/<int:series_id>/package/", online_portal.portal_package, name="portal_package"),
    path("stripe/webhook/", online.stripe_webhook, name="stripe_webhook"),
]
