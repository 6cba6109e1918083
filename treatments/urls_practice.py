from django.urls import path

from .views import practice

app_name = "practice"
urlpatterns = [
    path("", practice.today, name="today"),
]
