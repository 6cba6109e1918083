# The views live in treatments (the red-flag alerts are check-ins of a treatment series); the mount
# point /desk/requests/ is patients' because consultation requests are.
from django.urls import path

from treatments.views import inbox

app_name = "inbox"
urlpatterns = [
    path("", inbox.inbox, name="index"),
    path("<int:pk>/status/", inbox.request_status, name="request_status"),
    path("alerts/<int:pk>/acknowledge/", inbox.alert_acknowledge, name="alert_acknowledge"),
]
