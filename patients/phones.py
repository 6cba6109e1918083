"""Phone numbers are stored in E.164 (+13125550123) so search and SMS see one spelling."""

import phonenumbers
from django.conf import settings


class InvalidPhone(ValueError):
    pass


def phone_normalise(raw: str, *, region: str | None = None) -> str:
    """E.164 for a number typed any common way; '' for blank; InvalidPhone when it is no number."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    region = region or getattr(settings, "PHONE_DEFAULT_REGION", "US")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(raw) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = getattr(settings, "PHONE_DEFAULT_REGION", "US")
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
