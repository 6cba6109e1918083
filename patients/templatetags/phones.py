"""`{{ patient.phone|phone }}`: a stored E.164 number in the clinic country's format."""

from django import template

from patients.phones import phone_display

register = template.Library()


@register.filter
def phone(value: str) -> str:
    return phone_display(value or "")
