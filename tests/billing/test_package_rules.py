"""The package's arithmetic, pure: the stated refund rules, never below zero, and the words that
show the sums (the page and the credit note)."""

import pytest

from billing.models.packages import RefundRule
from billing.package_rules import PackageRefund, liability, used_value


def figures(**kw) -> PackageRefund:
    base = {"rule": RefundRule.SINGLE_VISIT, "sessions": 5, "redeemed": 3, "price": 60000, "single_visit_price": 15000}
    return PackageRefund(**{**base, **kw, "paid": kw.get("paid", 60000)})


def test_single_visit_rule_paid_less_redeemed_at_the_single_visit_price():
    refund = figures()
    assert (refund.used, refund.amount, refund.credit) == (45000, 15000, 15000)
    assert refund.lines() == [
        "3 sessions used × $150.00 single-visit price = $450.00",
        "Refund: $600.00 paid − $450.00 = $150.00",
        "Credit note: $600.00 package price − $450.00 = $150.00",
    ]


def test_pro_rata_at_the_package_price_rounds_half_up_to_the_cent():
    refund = figures(rule=RefundRule.PRO_RATA, price=10000, sessions=3, redeemed=1, paid=10000)
    assert refund.used == 3333  # 100.00 ÷ 3 = 33.333…
    assert refund.amount == 6667
    assert refund.lines()[0] == "1 session used × $100.00 package price ÷ 3 sessions = $33.33"
    assert used_value(rule=RefundRule.PRO_RATA, redeemed=1, sessions=2, price=101, single_visit_price=0) == 51


def test_never_below_zero_and_never_more_than_the_price():
    refund = figures(redeemed=5, paid=20000)
    assert refund.used == 60000  # 5 × 150 = 750, but at most the package's 600
    assert (refund.amount, refund.credit) == (0, 0)
    assert "(at most the package price, $600.00)" in refund.lines()[0]
    assert "(never below $0.00)" in refund.lines()[1]


@pytest.mark.parametrize(("paid", "redeemed", "held"), [(60000, 0, 60000), (60000, 3, 24000), (10000, 3, 0), (0, 0, 0)])
def test_liability_is_what_is_held_for_sessions_not_given(paid, redeemed, held):
    assert liability(paid=paid, redeemed=redeemed, sessions=5, price=60000) == held
