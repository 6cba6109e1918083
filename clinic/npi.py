"""The US National Provider Identifier: ten digits whose last is a Luhn check digit computed over
the prefix 80840 and the first nine (CMS, "NPI check digit")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def npi_is_valid(value: str) -> bool:
    if len(value) != 10 or not value.isdigit():
        return False
    digits = [int(c) for c in "80840" + value]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def validate_npi(value: str) -> None:
    if value and not npi_is_valid(value):
        raise ValidationError(_("An NPI is ten digits with a valid check digit, e.g. 1234567893."))
