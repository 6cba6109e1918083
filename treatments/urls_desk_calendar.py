from django.urls import path

from .views import desk

urlpatterns = [
    path("", desk.calendar, name="calendar"),
]
