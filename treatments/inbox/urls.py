from django.urls import path

from treatments.inbox import views as inbox

app_name = "inbox"
urlpatterns = [
    path("", inbox.inbox, name="index"),
    path("<int:pk>/status/", inbox.request_status, name="request_status"),
    path("alerts/<int:pk>/acknowledge/", inbox.alert_acknowledge, name="alert_acknowledge"),
    path("series/<int:pk>/done/", inbox.series_request_done, name="series_request_done"),
]
