from django.urls import path

from .views import appointments_desk, series

urlpatterns = [
    path("patients/<int:pk>/", series.patient_detail, name="patient"),
    path("series/new/", series.series_new, name="series_new"),
    path("series/<int:pk>/", series.series_detail, name="series"),
    path("series/<int:pk>/add/", series.series_add, name="series_add"),
    path("series/<int:pk>/discontinue/", series.series_stop, name="series_discontinue"),
    path("appointments/new/", appointments_desk.appointment_new, name="book_appointment"),
    path("appointments/<int:pk>/move/", appointments_desk.appointment_reschedule, name="appointment_move"),
    path("appointments/<int:pk>/cancel/", appointments_desk.appointment_call_off, name="appointment_cancel"),
]
