"""{{ amount|money }}: minor units shown in the clinic's currency and locale (billing.money)."""

from django import template

from billing.money import format_money, format_rate

register = template.Library()


@register.filter(name="money")
def money(value: int | None) -> str:
    return format_money(value)


@register.filter(name="tax_rate")
def tax_rate(value: int) -> str:
    return format_rate(value)


@register.filter(name="owed_back")
def owed_back(value: int) -> str:
    """A negative balance as the amount owed back to the patient."""
    return format_money(-value)
