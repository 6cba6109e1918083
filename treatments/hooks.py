"""Hooks: how an app ABOVE treatments (billing) shows things on treatments' pages and hears what
happened, without treatments ever importing it.

Two kinds:
- **Badges** — short texts a page shows beside an appointment, a series or a patient ("Balance due
  £40", "Session 3 of 5 — package"). A provider is a function that takes the ids a page shows and
  returns a mapping id → list of texts, for ALL of them at once (a fixed number of queries however
  many ids). Providers register in their AppConfig.ready(); the page calls `appointment_badges(ids)`
  once per page, never per card.
- **Events** — Django signals sent by treatments' services after the transaction that made the
  change commits. Receivers (billing) must never fail the treatment write; they run on commit.

Texts are plain strings (escaped by the page); they never name a diagnosis or body part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from django.dispatch import Signal

BadgeProvider = Callable[[Sequence[int]], Mapping[int, Sequence[str]]]

_providers: dict[str, list[BadgeProvider]] = {"appointment": [], "series": [], "patient": []}


def register_badges(kind: str, provider: BadgeProvider) -> None:
    """Register a provider for `kind` ("appointment", "series" or "patient"); idempotent."""
    if kind not in _providers:
        raise ValueError(f"unknown badge kind {kind!r}")
    if provider not in _providers[kind]:
        _providers[kind].append(provider)


def _badges(kind: str, ids: Iterable[int]) -> dict[int, list[str]]:
    wanted = sorted({int(i) for i in ids})
    found: dict[int, list[str]] = {}
    if not wanted:
        return found
    for provider in _providers[kind]:
        for key, texts in provider(wanted).items():
            found.setdefault(key, []).extend(texts)
    return found


def appointment_badges(ids: Iterable[int]) -> dict[int, list[str]]:
    return _badges("appointment", ids)


def series_badges(ids: Iterable[int]) -> dict[int, list[str]]:
    return _badges("series", ids)


def patient_badges(ids: Iterable[int]) -> dict[int, list[str]]:
    return _badges("patient", ids)


# Events, sent with sender=<the model class> and the keyword arguments named in each comment, on
# transaction commit (transaction.on_commit), so a receiver sees committed rows.
# appointment_id, status ("attended", "no_show", "late_cancelled", "cancelled"), now
appointment_outcome = Signal()
# series_id, now
series_discontinued = Signal()
# appointment_ids (list, the series' sessions or a single appointment), series_id (or None), now
appointments_booked = Signal()
