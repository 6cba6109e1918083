from django.urls import path

from .views import series

urlpatterns = [
    path("patients/<int:pk>/", series.patient_detail, name="patient"),
]
