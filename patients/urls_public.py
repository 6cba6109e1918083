from django.urls import path

from . import views_consult

app_name = "consult"
urlpatterns = [
    path("", views_consult.self_check, name="self_check"),
    path("request/", views_consult.request_form, name="request"),
    path("thanks/", views_consult.thanks, name="thanks"),
]
