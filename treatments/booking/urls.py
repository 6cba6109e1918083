from django.urls import path

from . import views, views_payment

app_name = "book"
urlpatterns = [
    path("", views.start, name="start"),
    path("details/", views.details, name="details"),
    path("verify/", views.verify, name="verify"),
    path("pay/", views_payment.pay, name="pay"),
    path("paid/", views_payment.paid, name="paid"),
    path("card/", views_payment.card, name="card"),
    path("card/saved/<uuid:key>/", views_payment.card_saved, name="card_saved"),
    path("done/", views_payment.done, name="done"),
]
