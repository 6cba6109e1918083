from django.urls import path

from . import views

app_name = "book"
urlpatterns = [
    path("", views.start, name="start"),
    path("details/", views.details, name="details"),
    path("verify/", views.verify, name="verify"),
    path("pay/", views.pay, name="pay"),
    path("paid/", views.paid, name="paid"),
    path("card/", views.card, name="card"),
    path("card/saved/<uuid:key>/", views.card_saved, name="card_saved"),
    path("done/", views.done, name="done"),
]
