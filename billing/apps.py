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
        # The card gateway for online payments and their refunds, when Stripe is configured.
        from django.conf import settings

        if settings.STRIPE_SECRET_KEY:
            from billing.gateway import register_card_gateway
            from billing.stripe_gateway import StripeGateway

            register_card_gateway(
                StripeGateway(secret_key=settings.STRIPE_SECRET_KEY, api_base=settings.STRIPE_API_BASE)
            )
        # Online booking asks billing for the clinic's deposit, paid on the card gateway's page
        # before the visit is booked (none asked while no gateway is configured).
        from billing.online_booking import CardStep, DepositStep
        from treatments import hooks

        hooks.register_online_payment(DepositStep())
        # Once booked online, a card may be saved for the late-cancel policy (offered only when a
        # card gateway is configured and the visit's type has a late-cancel fee).
        hooks.register_online_card(CardStep())
