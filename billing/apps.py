from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Money on treatments' pages and what billing does when treatments records an outcome:
        # through treatments.hooks, so treatments never imports billing.
        from billing import badges, receivers

        badges.register()
        receivers.connect()
