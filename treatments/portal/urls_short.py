"""/p/<token>: the short form of the portal link that texts carry (two SMS segments, issue 10)."""

from django.urls import path

from treatments.portal import views as portal

urlpatterns = [path("<str:token>", portal.short, name="portal_short")]
