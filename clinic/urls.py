from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views, views_two_factor

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        views.password_change,
        name="password_change",
    ),
    path("accounts/two-factor/", views_two_factor.manage, name="two_factor"),
    path("accounts/two-factor/set-up/", views_two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", views_two_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/turn-off/", views_two_factor.disable, name="two_factor_disable"),
    path("accounts/two-factor/recovery-codes/", views_two_factor.codes_renew, name="two_factor_codes"),
    path(
        "accounts/two-factor/passkeys/<int:pk>/remove/",
        views_two_factor.passkey_delete,
        name="two_factor_passkey_remove",
    ),
    path("accounts/two-factor/passkeys/", include("clinic.urls_passkeys")),
    path("admin/", admin.site.urls),
    path("desk/patients/", include("patients.urls")),
    path("desk/requests/", include("treatments.inbox.urls")),
    path("consult/", include("patients.urls_public")),
    path("book/", include("treatments.booking.urls")),
    path("desk/setup/", include("treatments.setup.urls")),
    path("desk/", include("treatments.scheduling.urls")),
    path("practice/", include("treatments.clinical.urls")),
    path("portal/", include("treatments.portal.urls")),
    path("p/", include("treatments.portal.urls_short")),
    path("sms/", include("treatments.inbox.urls_sms")),
    path("messages/", include("notifications.urls")),
    path("billing/", include("billing.urls")),
    path("education/", include("education.urls")),
]

admin.site.site_header = "Prolo clinic setup"
admin.site.site_title = "Prolo"
