from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.message_list, name="log"),
    path("patients/<int:patient_id>/", views.patient_messages, name="patient_log"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path("<int:pk>/resend/", views.message_resend_view, name="resend"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
