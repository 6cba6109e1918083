from django.urls import path

from . import views

app_name = "book"
urlpatterns = [
    path("", views.start, name="start"),
    path("details/", views.details, name="details"),
    path("verify/", views.verify, name="verify"),
    path("done/", views.done, name="done"),
]
