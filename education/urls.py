from django.urls import path

from . import views

app_name = "education"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("<slug:slug>/", views.page, name="page"),
    path("<slug:slug>/print/", views.page_print, name="print"),
]
