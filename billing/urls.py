from billing.urls_series import urlpatterns as series_urlpatterns

app_name = "billing"

urlpatterns: list = [*series_urlpatterns]
