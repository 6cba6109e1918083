"""Which database rule refused a write, and what to tell the person who made it.

Races are closed in the database (named UniqueConstraint / CheckConstraint, PostgreSQL exclusion
constraints, SQLite triggers): the loser of a race gets an IntegrityError. Each one is told apart
by the name of the constraint it broke, never guessed from the fact that something failed — an
unexpected refusal must not read "that time was just taken" and hide a real fault.

- PostgreSQL names the constraint in the error's diagnostics (`__cause__.diag.constraint_name`).
- SQLite names a CHECK constraint or a trigger's RAISE in the message ("CHECK constraint failed:
  <name>"), but a UNIQUE one only by its columns ("UNIQUE constraint failed: table.a, table.b"):
  those are mapped back to the name through the models' own constraints (`_sqlite_unique_names`).

`MESSAGES` is the one registry of name -> message. A name not in it is logged (the name only: the
database's text can carry the values that clashed, which may be a patient's) and shown as
`GENERIC`."""

from __future__ import annotations

import logging
import re
from functools import cache

from django.apps import apps
from django.db import IntegrityError, models
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

GENERIC = _("Something went wrong saving this; nothing was saved. Please try again or tell the clinic admin.")

SLOT_TAKEN = _("That time was just taken. Pick another.")

MESSAGES = {
    # Booking: the exclusion constraints of treatments migrations 0002 and 0006_booka (PostgreSQL).
    "appointment_no_overlap_practitioner": SLOT_TAKEN,
    "appointment_no_overlap_patient": _("The patient already has an appointment at that time. Pick another."),
    "appointment_no_overlap_room": _("That room was just taken at that time. Pick another room or time."),
    "online_booking_no_overlap_held": _("That time is no longer free. Please pick another."),
    "appointment_one_live_per_series_step": _(
        "This session of the series was just booked by someone else. Reload the page to see it."
    ),
    # Waitlist.
    "waitlist_entry_one_open_per_session": _("This patient is already on the waitlist for that."),
    "waitlist_entry_one_open_without_session": _("This patient is already on the waitlist for that."),
    "waitlist_offer_slot_claimed_once": _("Sorry, someone else took this time first. Your booking stays as it was."),
    "waitlist_offer_once_per_entry": _("This slot was already offered to that patient."),
    # Patient links: the sweep and the desk recover from this one (patients/tokens.py).
    "portal_token_one_live_per_patient": _("A new link was just made for this patient. Reload the page."),
    # Patient links and requests.
    "consultation_request_consented": _("We need your consent and an e-mail address or phone number."),
    "consultation_request_has_contact": _("We need your consent and an e-mail address or phone number."),
    # Staff two-factor sign-in (unique indexes of clinic migration 0006_races).
    "two_factor_one_app_per_user": _(
        "Two-factor sign-in was just turned on from another page. Sign out and in again with your app's code."
    ),
    "two_factor_one_code_set_per_user": _(
        "New recovery codes were just made on another page. Use those, or make new ones here again."
    ),
    # Clinic set-up.
    "working_hours_end_after_start": _("A block must end after it starts."),
    "dated_hours_end_after_start": _("A block must end after it starts."),
    # Clinical records: out-of-range values that got past the forms.
    "treatments_sessionrecord_appointment_id_key": _("This session already has a record. Reload the page."),
    "record_pain_before_0_10": _("Pain before must be a number from 0 to 10."),
    "record_pain_after_0_10": _("Pain after must be a number from 0 to 10."),
    "site_volume_between_0_and_30_ml": _("Each injection volume must be more than 0 and at most 30 ml."),
    "site_dextrose_0_50_percent": _("Dextrose must be from 0 to 50 %."),
    "site_anaesthetic_0_50_percent": _("Anaesthetic must be from 0 to 50 %."),
    "site_chart_point_whole_and_in_frame": _("The point on the body chart is outside the chart."),
    "score_pain_nrs_0_10": _("A pain score must be a number from 0 to 10."),
}

# Unique indexes made by SQL on tables that are not ours (clinic migration 0006_races), by columns.
RAW_UNIQUE_INDEXES = {
    frozenset({"otp_totp_totpdevice.user_id"}): "two_factor_one_app_per_user",
    frozenset({"otp_static_staticdevice.user_id"}): "two_factor_one_code_set_per_user",
}

_SQLITE_NAMED = re.compile(r"^(?:CHECK constraint failed: )?(?P<name>[a-z0-9_]+)$")
_SQLITE_UNIQUE = re.compile(r"^UNIQUE constraint failed: (?P<columns>.+)$")


def constraint_name(error: IntegrityError) -> str | None:
    """The name of the constraint the database refused the write with, when it says."""
    diag = getattr(error.__cause__, "diag", None)
    if diag is not None:
        return diag.constraint_name
    text = str(error.__cause__ or error).strip()
    unique = _SQLITE_UNIQUE.match(text)
    if unique:
        return _sqlite_unique_names().get(_columns(unique["columns"]))
    named = _SQLITE_NAMED.match(text)
    return named["name"] if named else None


def constraint_message(error: IntegrityError) -> str | None:
    """The message registered for the refused constraint; None for one nobody expected."""
    name = constraint_name(error)
    return str(MESSAGES[name]) if name in MESSAGES else None


def integrity_message(error: IntegrityError) -> str:
    """What to show for a refused write: its constraint's message, else the generic one, logged
    with the constraint's name and where it happened (no values: they may be a patient's)."""
    message = constraint_message(error)
    if message is None:
        logger.error(
            "Unexpected database refusal (%s, constraint %s)",
            type(error.__cause__ or error).__name__,
            constraint_name(error) or "unknown",
            stack_info=True,
        )
        return str(GENERIC)
    return message


def _columns(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in text.split(","))


@cache
def _sqlite_unique_names() -> dict[frozenset[str], str]:
    """{"table.column", ...} -> constraint name, for every unique rule of every model: named
    UniqueConstraints, and unique fields under PostgreSQL's own name for them (<table>_<column>_key).
    Two partial constraints over the same columns of a table would clash here: none do."""
    names: dict[frozenset[str], str] = dict(RAW_UNIQUE_INDEXES)
    for model in apps.get_models():
        table = model._meta.db_table
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
                # A unique constraint names concrete fields only, never a reverse relation.
                fields = [model._meta.get_field(f) for f in constraint.fields]
                columns = [f.column for f in fields if isinstance(f, models.Field)]
                names[frozenset(f"{table}.{c}" for c in columns)] = constraint.name
        for field in model._meta.local_fields:
            if field.unique and not field.primary_key:
                names[frozenset({f"{table}.{field.column}"})] = f"{table}_{field.column}_key"
    return names
