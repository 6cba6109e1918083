"""Money is integer minor units: typed amounts read exactly, shown with Babel, tax per line half up."""

import pytest
from django.test import override_settings

from billing.money import MoneyError, format_money, format_rate, line_amounts, parse_money


@pytest.mark.parametrize(
    ("typed", "minor"),
    [("40", 4000), ("40.50", 4050), ("40.5", 4050), ("$1,234.50", 123450), (" 0.01 ", 1), ("0.10", 10), ("USD 7", 700)],
)
def test_a_desk_typed_amount_is_read_exactly_into_cents(typed, minor):
    assert parse_money(typed) == minor


def test_an_amount_that_a_float_would_get_wrong_is_exact():
    # 0.1 + 0.2 in binary floating point is 0.30000000000000004; 19.99 * 100 is 1998.9999999999998.
    assert parse_money("19.99") == 1999
    assert parse_money("1000000000.29") == 100000000029


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter an amount."),
        ("   ", "Enter an amount."),
        ("-5", "without a minus sign"),
        ("abc", "is not an amount"),
        ("1e3", "is not an amount"),
        ("40.505", "at most 2 decimals"),
        ("1,23", "is not an amount"),
        ("4O", "is not an amount"),
    ],
)
def test_bad_amounts_are_refused_with_a_message_the_desk_can_act_on(typed, message):
    with pytest.raises(MoneyError, match=message):
        parse_money(typed)


def test_amounts_are_shown_in_the_clinics_currency_and_locale():
    assert format_money(123450) == "$1,234.50"
    assert format_money(0) == "$0.00"
    assert format_money(None) == ""


@override_settings(CLINIC_CURRENCY="GBP", CLINIC_COUNTRY="GB")
def test_another_clinic_sees_its_own_currency():
    assert format_money(4050) == "£40.50"
    assert parse_money("£40.50") == 4050


@override_settings(CLINIC_CURRENCY="JPY", CLINIC_COUNTRY="JP")
def test_a_currency_without_decimals_refuses_them():
    assert parse_money("5000") == 5000
    with pytest.raises(MoneyError, match="at most 0 decimals"):
        parse_money("50.5")


def test_exclusive_tax_is_added_per_line_rounded_half_up():
    # 3 × $10.00 at 8.25 %: 30.00 × 0.0825 = 2.475 → 2.48
    assert line_amounts(unit_price=1000, quantity=3, tax_rate_bp=825, tax_inclusive=False) == (3248, 248)
    # exactly half a cent rounds up: 10 cents × 5 % = 0.5 cent → 1 cent
    assert line_amounts(unit_price=10, quantity=1, tax_rate_bp=500, tax_inclusive=False) == (11, 1)
    # below half rounds down: 9 cents × 5 % = 0.45 → 0
    assert line_amounts(unit_price=9, quantity=1, tax_rate_bp=500, tax_inclusive=False) == (9, 0)


def test_inclusive_tax_is_the_part_of_the_price_that_is_tax():
    # £10.00 including 20 % VAT: 10.00 × 20/120 = 1.666… → 1.67; the price stays 10.00
    assert line_amounts(unit_price=1000, quantity=1, tax_rate_bp=2000, tax_inclusive=True) == (1000, 167)
    assert line_amounts(unit_price=15000, quantity=2, tax_rate_bp=0, tax_inclusive=True) == (30000, 0)


def test_a_line_with_a_negative_price_or_no_quantity_is_refused():
    with pytest.raises(MoneyError):
        line_amounts(unit_price=-1, quantity=1, tax_rate_bp=0, tax_inclusive=False)
    with pytest.raises(MoneyError):
        line_amounts(unit_price=100, quantity=0, tax_rate_bp=0, tax_inclusive=False)


def test_tax_rates_are_shown_as_percentages():
    assert format_rate(2000) == "20%"
    assert format_rate(825) == "8.25%"
    assert format_rate(0) == "0%"
