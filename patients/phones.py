"""Phone numbers are stored in E.164 (+13125550123) so search and SMS see one spelling."""

import functools

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
    """A stored number as people of the clinic's country write it: their own numbers in the
    national format ((312) 555-0199 in the US), others in the international one (+44 20 7946 0018).
    Anything that does not parse is shown as stored."""
    if not e164:
        return ""
    return _display(e164, getattr(settings, "CLINIC_COUNTRY", "US"))


@functools.lru_cache(maxsize=4096)
def _display(e164: str, country: str) -> str:
    # Parsing costs tens of microseconds; a page of 50 search results would spend milliseconds.
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == country:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# The kinds of number a code may be texted to: a premium-rate, shared-cost or other paid line is
# never texted (pumping texts to such numbers earns their owner money at the clinic's cost).
_TEXTABLE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def sms_destination_problem(e164: str) -> str | None:
    """Why a one-time code may not be texted to this (E.164) number, in words, or None: only to
    mobile numbers of the countries in SMS_CODE_COUNTRIES (default: the clinic's own)."""
    from django.utils.translation import gettext as _

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return _("This is not a valid phone number.")
    allowed = settings.SMS_CODE_COUNTRIES
    if phonenumbers.region_code_for_number(number) not in allowed:
        return _("We can only text codes to numbers in %(countries)s. Please choose e-mail for your code.") % {
            "countries": ", ".join(allowed)
        }
    if phonenumbers.number_type(number) not in _TEXTABLE:
        return _("We can only text codes to mobile numbers. Please choose e-mail for your code.")
    return None
