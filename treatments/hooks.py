"""Hooks: how an app ABOVE treatments (billing) shows things on treatments' pages and hears what
happened, without treatments ever importing it.

Two kinds:
- **Badges** — short texts a page shows beside an appointment, a series or a patient ("Balance due
  £40", "Session 3 of 5 — package"), or a short link ("Check out", "No-show: choose fee, forfeit or
  waiver") whose address the provider gives, so treatments never knows billing's URLs. A provider
  is a function that takes the ids a page shows and returns a mapping id → list of badges, for ALL
  of them at once (a fixed number of queries however many ids). A badge is a plain string or a
  small dict {"text": ..., "href": ..., "tone": ..., "scope": ...} (all but text optional; tone is
  one of "info", "warning", "success"; scope "patient" marks a fact about the patient rather than
  this appointment, such as a balance, which a page listing one patient's sessions shows once, not
  per row); the page always receives dicts with the four keys (see `Badge`). A provider that hands
  out the same badge on many cards makes it with `badge()`: normalized and rendered once, then
  shared (a busy day's 650 money badges are a few dozen distinct ones).
  Providers register in their AppConfig.ready(); the page calls `appointment_badges(ids)` once per
  page, never per card. A page that has read its appointments already passes them as
  `ShownAppointment` rows instead of ids, and a provider registered with `shown=True` receives those
  rows (patient, series, status) and need not read the appointments again (the day grid's 330 cards);
  given bare ids, the hooks read the rows for it in one query. A page that keeps its rendered HTML
  (the desk's day grid) re-renders when its version changes: a provider whose badges change
  without the appointment changing bumps the patient's `updated_at`, which the day's version
  covers.
- **Events** — Django signals sent by treatments' services after the transaction that made the
  change commits (`send_on_commit`). Receivers (billing) must never fail the treatment write; they
  run on commit, after it.

Texts are plain strings (escaped by the page); they never name a diagnosis or body part.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple, Protocol, TypedDict

from django.db import transaction
from django.dispatch import Signal
from django.utils.safestring import SafeData, SafeString

from treatments.models import Appointment


class Badge(TypedDict):
    text: str
    href: str  # "" when the badge is not a link
    tone: str  # "info" (default), "warning" or "success"
    scope: str  # "" (this object) or "patient" (the patient's, e.g. a balance)


BadgeLike = str | Mapping[str, str] | Badge  # a Badge: made by `badge()`
BadgeProvider = Callable[[Sequence[int]], Mapping[int, Sequence[BadgeLike]]]
TONES = ("info", "warning", "success")
log = logging.getLogger(__name__)


class ShownAppointment(NamedTuple):
    """An appointment as a page has read it: what a badge provider may need to know of it."""

    pk: int
    patient_id: int
    series_id: int | None
    status: str


# A provider takes ids (BadgeProvider), or ShownAppointment rows when registered with `shown`.
AnyProvider = Callable[..., Mapping[int, Sequence[BadgeLike]]]
_providers: dict[str, list[AnyProvider]] = {"appointment": [], "series": [], "patient": []}
_shown_providers: list[AnyProvider] = []


def register_badges(kind: str, provider: AnyProvider, *, shown: bool = False) -> None:
    """Register a provider for `kind` ("appointment", "series" or "patient"); idempotent. With
    `shown` (appointments only) it receives `ShownAppointment` rows instead of ids."""
    if kind not in _providers:
        raise ValueError(f"unknown badge kind {kind!r}")
    if shown and kind != "appointment":
        raise ValueError("only appointment badge providers receive shown rows")
    if provider not in _providers[kind]:
        _providers[kind].append(provider)
    if shown and provider not in _shown_providers:
        _shown_providers.append(provider)


class _Made(dict):
    """A badge made by `badge()`: normalized, with its HTML (`html`) rendered once. Shared by every
    card that shows it, so never changed."""

    __slots__ = ("html",)
    html: str


def _badge(value: BadgeLike) -> Badge:
    if type(value) is _Made:
        return value  # type: ignore[return-value]  # made normalized (badge())
    if isinstance(value, str):
        return Badge(text=value, href="", tone="info", scope="")
    tone = value.get("tone") or "info"
    return Badge(
        text=str(value["text"]),
        href=str(value.get("href") or ""),
        tone=tone if tone in TONES else "info",
        scope="patient" if value.get("scope") == "patient" else "",
    )


def _badges(kind: str, ids: Iterable[int]) -> dict[int, list[Badge]]:
    wanted = sorted({int(i) for i in ids})
    found: dict[int, list[Badge]] = {}
    if not wanted:
        return found
    for provider in _providers[kind]:
        for key, values in provider(wanted).items():
            found.setdefault(key, []).extend(_badge(v) for v in values)
    return found


_CSS = {"info": "text-bg-light border", "warning": "text-bg-warning", "success": "text-bg-success"}


@lru_cache(maxsize=4096)
def badge(text: str, *, href: str = "", tone: str = "info", scope: str = "") -> Badge:
    """A badge as a provider hands it out (see `Badge`), made once per distinct badge and shared:
    normalized, and its HTML rendered, once."""
    made = _Made(_badge({"text": text, "href": href, "tone": tone, "scope": scope}))
    # _Made is a dict holding a Badge's keys (a TypedDict cannot be subclassed with a slot): mypy
    # sees a plain dict where it is the Badge made above.
    made.html = _badge_html(made)  # type: ignore[arg-type]  # a Badge, made above
    return made  # type: ignore[return-value]  # a Badge, made above (a dict subclass mypy cannot read as one)


def _badge_html(b: Badge) -> str:
    """One badge escaped; a link when it has an address (the provider's, never a treatments URL)."""
    text = _escaped(b["text"])
    css = _CSS[b["tone"]]
    if b["href"]:
        return f' <a class="badge {css} hook-badge" href="{_escaped(b["href"])}">{text}</a>'
    return f' <span class="badge {css} hook-badge">{text}</span>'


def badges_html(badges: Sequence[Badge]) -> SafeString:
    """Each badge escaped (a badge made by `badge()` was, once). The template tag `hook_badges` and
    the calendar's card builder both render with this."""
    html = "".join(b.html if type(b) is _Made else _badge_html(b) for b in badges)
    return SafeString(html)  # every value escaped (mark_safe's lazy check skipped)


def _escaped(value: str) -> str:
    """conditional_escape's result without its check for lazy strings (a badge's are plain): a busy
    day's cards have hundreds of badges."""
    return value if isinstance(value, SafeData) else html.escape(value)


def appointment_badges(appointments: Iterable[int | ShownAppointment]) -> dict[int, list[Badge]]:
    """The badges of every appointment a page shows: ids, or the rows the page has read."""
    given = list(appointments)
    shown = {a.pk: a for a in given if isinstance(a, ShownAppointment)}
    wanted = sorted({int(a) for a in given if not isinstance(a, ShownAppointment)} | set(shown))
    found: dict[int, list[Badge]] = {}
    if not wanted:
        return found
    for provider in _providers["appointment"]:
        if provider in _shown_providers:
            missing = [pk for pk in wanted if pk not in shown]
            if missing:
                shown.update((row.pk, row) for row in _read_shown(missing))
            answer = provider([shown[pk] for pk in wanted if pk in shown])
        else:
            answer = provider(wanted)
        for key, values in answer.items():
            made = [_badge(v) for v in values]
            if key in found:
                found[key].extend(made)
            else:
                found[key] = made
    return found


def _read_shown(ids: Sequence[int]) -> list[ShownAppointment]:
    rows = Appointment.objects.filter(pk__in=ids).values_list("pk", "patient_id", "series_id", "status")
    return [ShownAppointment(*row) for row in rows]


def series_badges(ids: Iterable[int]) -> dict[int, list[Badge]]:
    return _badges("series", ids)


def patient_badges(ids: Iterable[int]) -> dict[int, list[Badge]]:
    return _badges("patient", ids)


# Portal links: pages of an app above treatments that the patient's portal navigation shows
# ("Your account"). A provider takes the portal token and returns [{"text": ..., "href": ...}]
# without a query; the href is the provider's own URL.
PortalLinkProvider = Callable[[str], Sequence[Mapping[str, str]]]
_portal_link_providers: list[PortalLinkProvider] = []


def register_portal_links(provider: PortalLinkProvider) -> None:
    if provider not in _portal_link_providers:
        _portal_link_providers.append(provider)


def portal_links(token: str) -> list[dict[str, str]]:
    return [
        {"text": str(link["text"]), "href": str(link["href"])}
        for provider in _portal_link_providers
        for link in provider(token)
    ]


# Events, sent with sender=<the model class> and the keyword arguments named in each comment, on
# transaction commit (transaction.on_commit), so a receiver sees committed rows. Each carries `by`
# (the user who recorded it; None for the patient or a task) and `now` (the service's clock).
# appointment_id, status ("attended", "no_show", "late_cancelled", "cancelled"), by, now
appointment_outcome = Signal()
# series_id, by, now
series_discontinued = Signal()
# appointment_ids (list, the series' sessions or a single appointment), series_id (or None), by, now
appointments_booked = Signal()


def send_on_commit(signal: Signal, sender: Any, **kwargs: Any) -> None:
    """Send `signal` once the current transaction commits (at once outside one). One line at each
    place a treatments service records what happened. A receiver that fails is logged, never
    raised: the treatment write has happened and stands."""

    def send() -> None:
        for receiver, result in signal.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                log.error(
                    "hook receiver %s failed: %s", getattr(receiver, "__qualname__", receiver), result, exc_info=result
                )

    transaction.on_commit(send)


# Online booking's payment step (issue 23): an app above (billing) may ask for a deposit before an
# online booking is made. The slot stays held (OnlineBooking "paying") while the patient pays on
# the card gateway's page; the step books it through `online_booking_complete` once the gateway
# confirms, and the hold is released only after the step has asked the gateway (never for want of
# a webhook). Registered in the app's ready(); without one, nothing is asked and booking is free.
class PaymentStepError(Exception):
    """The payment could not begin; the message is shown to the patient (nothing was charged)."""


class OnlinePaymentStep(Protocol):
    def deposit_due(self, *, appointment_type_id: int, start: dt.datetime, now: dt.datetime) -> int:
        """What must be paid to book this online, in minor units; 0 = nothing."""
        ...

    def deposit_text(self, *, booking_id: int) -> str:
        """The amount to pay for this held booking, as the patient reads it ("$40.00")."""
        ...

    def begin(self, *, booking_id: int, success_url: str, cancel_url: str, now: dt.datetime) -> str:
        """The address of the gateway's page for this booking's deposit; raises PaymentStepError."""
        ...

    def settle(self, *, booking_id: int, now: dt.datetime) -> bool | None:
        """Ask the gateway about this booking's payment and book it when paid: True = paid (and
        booked), False = not paid and no longer payable (the hold may go), None = not known yet
        (the gateway's page is still open, or the gateway could not be asked: keep holding)."""
        ...


_payment_step: list[OnlinePaymentStep] = []


def register_online_payment(step: OnlinePaymentStep | None) -> None:
    _payment_step.clear()
    if step is not None:
        _payment_step.append(step)


def online_payment() -> OnlinePaymentStep | None:
    return _payment_step[0] if _payment_step else None


# Online booking's card step (issue 23, item 4): after the visit is booked (and its deposit paid),
# an app above (billing) may offer to save a card for the clinic's late-cancel policy: the policy's
# words, "I agree", the card gateway's setup page, or skip. Registered in the app's ready().
@dataclass(frozen=True)
class CardChoice:
    """What the patient sent from the card step: the tick, the policy version the page showed, and
    the form's key (the gateway's idempotency key)."""

    agreed: bool
    version: str
    key: uuid.UUID


class OnlineCardStep(Protocol):
    def offer(self, *, booking_id: int) -> tuple[str, str]:
        """The policy's words and their version when a card is worth saving for this booked visit;
        ("", "") when not (no late-cancel fee for its type, no card gateway, a card already saved)."""
        ...

    def begin(self, *, booking_id: int, choice: CardChoice, success_url: str, cancel_url: str, now: dt.datetime) -> str:
        """The address of the gateway's card setup page; raises PaymentStepError (nothing saved)."""
        ...

    def saved(self, *, booking_id: int, key: uuid.UUID, now: dt.datetime) -> bool:
        """Back from the gateway: ask it, and keep the card once. True when the card is saved."""
        ...


_card_step: list[OnlineCardStep] = []


def register_online_card(step: OnlineCardStep | None) -> None:
    _card_step.clear()
    if step is not None:
        _card_step.append(step)


def online_card() -> OnlineCardStep | None:
    return _card_step[0] if _card_step else None
