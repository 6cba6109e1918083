"""Money: integer minor units of the clinic's one currency (settings.CLINIC_CURRENCY).

Never a float. An amount the desk types ("40", "40.50", "1,234.50") is read with Decimal into
minor units exactly, or refused with a clear message; an amount is shown with Babel in the
clinic's locale (LANGUAGE_CODE + CLINIC_COUNTRY, e.g. en_US → "$1,234.50").

Tax on a line is computed once, when the line is written (`line_amounts`), per line, rounded half
up to the minor unit; an invoice's totals are sums of its lines' integers, so they are exact."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import NumberFormatError, format_currency, get_currency_precision, parse_decimal
from django.conf import settings

BASIS_POINTS = 10_000  # a tax rate of 2000 basis points is 20 %


class MoneyError(ValueError):
    """An amount that cannot be read; its message is shown to the desk as it is."""


def currency() -> str:
    return str(settings.CLINIC_CURRENCY)


@cache
def _locale_name(language: str, country: str) -> str:
    """The clinic's Babel locale: its language in its country if Babel knows it, else the language."""
    language = language.replace("-", "_").split("_")[0]
    candidate = f"{language}_{country}"
    try:
        Locale.parse(candidate)
    except (UnknownLocaleError, ValueError):
        return language
    return candidate


def clinic_locale() -> str:
    return _locale_name(str(settings.LANGUAGE_CODE), str(settings.CLINIC_COUNTRY))


def minor_digits(code: str | None = None) -> int:
    """How many decimals the currency has (2 for USD/GBP/EUR, 0 for JPY)."""
    return int(get_currency_precision(code or currency()))


def to_decimal(minor: int, code: str | None = None) -> Decimal:
    return Decimal(int(minor)).scaleb(-minor_digits(code))


def format_money(minor: int | None, *, code: str | None = None) -> str:
    """`4050` → "$40.50" (in the clinic's locale); None → "" (nothing to show)."""
    if minor is None:
        return ""
    return _formatted(int(minor), code or currency(), clinic_locale())


@lru_cache(maxsize=4096)
def _formatted(minor: int, code: str, locale: str) -> str:
    """Babel's formatting, once per amount: a busy day's cards and a report's rows repeat a few
    hundred amounts, and each formatting reads the locale's data afresh (~60 µs)."""
    return str(format_currency(to_decimal(minor, code), code, locale=locale))


def parse_money(text: str | None, *, code: str | None = None) -> int:
    """A desk-typed amount → minor units, exactly. Refuses empty, non-numbers, negatives and more
    decimals than the currency has, with a message the page can show."""
    code = code or currency()
    raw = (text or "").strip()
    locale = Locale.parse(clinic_locale())
    symbol = locale.currency_symbols.get(code, code)
    for prefix in (symbol, code):
        if raw.startswith(prefix):
            raw = raw[len(prefix) :].strip()
    if not raw:
        raise MoneyError("Enter an amount.")
    if raw.startswith("-"):
        raise MoneyError("Enter an amount above zero, without a minus sign.")
    allowed = set("0123456789") | {locale.number_symbols["latn"]["group"], locale.number_symbols["latn"]["decimal"]}
    if not set(raw) <= allowed:
        raise MoneyError(f"“{text}” is not an amount: use digits, e.g. 40 or 40.50.")
    try:
        value = parse_decimal(raw, locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        raise MoneyError(f"“{text}” is not an amount: use digits, e.g. 40 or 40.50.") from None
    digits = minor_digits(code)
    scaled = value.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"An amount in {code} has at most {digits} decimals.")
    return int(scaled)


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for numerator ≥ 0, denominator > 0 (integers only)."""
    return (2 * numerator + denominator) // (2 * denominator)


def line_amounts(*, unit_price: int, quantity: int, tax_rate_bp: int, tax_inclusive: bool) -> tuple[int, int]:
    """(gross, tax) of one invoice line, in minor units.

    Exclusive tax: net = price × quantity, tax = net × rate rounded half up, gross = net + tax.
    Inclusive tax: gross = price × quantity, tax = gross × rate / (1 + rate) rounded half up.
    """
    if unit_price < 0 or quantity < 1 or not 0 <= tax_rate_bp <= BASIS_POINTS:
        raise MoneyError("A line needs a price of zero or more, a quantity of one or more and a tax rate of 0-100 %.")
    amount = unit_price * quantity
    if tax_inclusive:
        tax = half_up(amount * tax_rate_bp, BASIS_POINTS + tax_rate_bp)
        return amount, tax
    tax = half_up(amount * tax_rate_bp, BASIS_POINTS)
    return amount + tax, tax


def price_less_deposit(*, unit_price: int, tax_rate_bp: int, tax_inclusive: bool, deposit: int) -> int:
    """The unit price of a fee's line once a deposit (a gross amount) comes off it: with tax on top
    the deposit comes off the price before tax (deposit ÷ (1 + rate), rounded half up); otherwise
    as it is. The line's gross is then `line_amounts` of this price — the desk's package offer, the
    sale's invoice and the portal's card checkout all read it here."""
    reduction = deposit
    if tax_rate_bp and not tax_inclusive:
        reduction = half_up(deposit * BASIS_POINTS, BASIS_POINTS + tax_rate_bp)
    return unit_price - reduction


def format_rate(tax_rate_bp: int) -> str:
    """2000 → "20%", 825 → "8.25%"."""
    value = Decimal(tax_rate_bp).scaleb(-2).normalize()
    return f"{value:f}%"
