"""/desk/setup/: the clinic's hours, time off and closures at the desk."""

from django.urls import path

from treatments.setup import views, views_settings

app_name = "setup"
urlpatterns = [
    path("", views.index, name="index"),
    path("practitioners/<int:pk>/", views.practitioner_hours, name="practitioner"),
    path("practitioners/<int:pk>/bookings/", views.outside_booking, name="outside_booking"),
    path("practitioners/<int:pk>/extra-hours/", views.dated_hours_new, name="dated_hours_new"),
    path("extra-hours/<int:pk>/remove/", views.dated_hours_delete, name="dated_hours_delete"),
    path("own-time-off/", views_settings.own_time_off, name="own_time_off"),
    path("time-off/", views.my_time_off, name="my_time_off"),
    path("closures/new/", views.closure_new, name="closure_new"),
    path("closures/<int:pk>/", views.closure_detail, name="closure"),
    path("closures/<int:pk>/bookings/", views.closure_booking, name="closure_booking"),
    path("closures/<int:pk>/remove/", views.closure_delete, name="closure_delete"),
]
