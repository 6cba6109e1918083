"""The package's arithmetic, in one place: what closing a package early gives back, what a package
still holds for sessions not yet given, and the words that show the sums. Pure functions over
integers (minor units): no ORM, no float. The reports compute the same liability in SQL
(billing.selectors.reports) — tests/billing/test_package_rules.py holds the two to one answer."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.models.packages import RefundRule
from billing.money import format_money


def used_value(*, rule: str, redeemed: int, sessions: int, price: int, single_visit_price: int) -> int:
    """What the sessions given are worth under `rule`, never more than the package's price:
    single-visit: redeemed × single-visit price; pro-rata: redeemed × price ÷ sessions, rounded
    half up to the minor unit."""
    if rule == RefundRule.PRO_RATA:
        value = (2 * redeemed * price + sessions) // (2 * sessions)
    else:
        value = redeemed * single_visit_price
    return min(value, price)


@dataclass(frozen=True)
class PackageRefund:
    rule: str
    sessions: int
    redeemed: int
    price: int
    single_visit_price: int
    paid: int  # money in for the package: allocations to its invoice less refunds from it

    @property
    def used(self) -> int:
        return used_value(
            rule=self.rule,
            redeemed=self.redeemed,
            sessions=self.sessions,
            price=self.price,
            single_visit_price=self.single_visit_price,
        )

    @property
    def amount(self) -> int:
        """The money given back: paid − what the sessions given are worth, never below 0."""
        return max(0, self.paid - self.used)

    @property
    def credit(self) -> int:
        """What the credit note takes off the package invoice: the price less what was used (so the
        invoice then charges exactly the sessions given; what was paid above that is owed back)."""
        return max(0, self.price - self.used)

    def lines(self) -> list[str]:
        """The arithmetic in words, as the page and the credit note show it."""
        # "used", not "given": a session forfeited for a no-show counts as one of them.
        given = ngettext("%(n)d session used", "%(n)d sessions used", self.redeemed) % {"n": self.redeemed}
        if self.rule == RefundRule.PRO_RATA:
            worth = _("%(given)s × %(price)s package price ÷ %(sessions)d sessions = %(used)s") % {
                "given": given,
                "price": format_money(self.price),
                "sessions": self.sessions,
                "used": format_money(self.used),
            }
        else:
            worth = _("%(given)s × %(unit)s single-visit price = %(used)s") % {
                "given": given,
                "unit": format_money(self.single_visit_price),
                "used": format_money(self.used),
            }
            if self.redeemed * self.single_visit_price > self.price:
                worth += " " + _("(at most the package price, %(price)s)") % {"price": format_money(self.price)}
        refund = _("Refund: %(paid)s paid − %(used)s = %(amount)s") % {
            "paid": format_money(self.paid),
            "used": format_money(self.used),
            "amount": format_money(self.amount),
        }
        if self.paid < self.used:
            refund += " " + _("(never below %(zero)s)") % {"zero": format_money(0)}
        credit = _("Credit note: %(price)s package price − %(used)s = %(credit)s") % {
            "price": format_money(self.price),
            "used": format_money(self.used),
            "credit": format_money(self.credit),
        }
        return [worth, refund, credit]


def liability(*, paid: int, redeemed: int, sessions: int, price: int) -> int:
    """Money a package still holds for sessions not yet given: what was paid less the sessions
    given at the package's price per session (rounded half up), never below 0."""
    return max(
        0,
        paid
        - used_value(rule=RefundRule.PRO_RATA, redeemed=redeemed, sessions=sessions, price=price, single_visit_price=0),
    )
