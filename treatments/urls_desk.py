from django.urls import path

from .views import desk

app_name = "desk"
urlpatterns = [
    path("", desk.calendar, name="calendar"),
]
