from django.urls import path

from . import views

app_name = "patients"
# /desk/patients/<pk>/ itself is the patient page of the series area (desk:patient).
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.register, name="register"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/portal-link/revoke/", views.portal_link_revoke, name="portal_link_revoke"),
]
