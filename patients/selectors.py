"""Reads about patients that several pages share. Each is a fixed, small number of queries."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple, cast

from django.db import connection
from django.db.models import CharField, F, Func, Q, QuerySet

from clinic.compiled_sql import CompiledRead, Prefix
from clinic.id_lists import among

from .models import Patient, ScreeningAnswer, ScreeningQuestion
from .phones import InvalidPhone, phone_normalise

SEARCH_LIMIT = 50
PHONE_PART_DIGITS = 4  # fewer digits than this match too many numbers to be a search
_DATE_PATTERNS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")
_PHONE_CHARS = re.compile(r"^[\d\s()+.\-]+$")
# search_name as an expression, not the column (see _search_matches): no index can give its order.
_SORT_NAME = Func(F("search_name"), template="(%(expressions)s || '')", output_field=CharField())


@dataclass(frozen=True)
class LatestAnswer:
    """The latest answer a patient gave to one screening question."""

    question: str
    label: str
    answered_at: dt.datetime
    note: str = ""
    answer: bool = True


# A flag is a latest answer that is "yes": shown on the patient, on each of their bookings and on
# the practitioner's day and record.
ScreeningFlag = LatestAnswer


def _parse_date(text: str) -> dt.date | None:
    for pattern in _DATE_PATTERNS:
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def search_kind(query: str) -> tuple[str, object]:
    """How a search box entry is read, each kind answered by indexes:
    ("dob", date); ("phone", (e164 or "", digits)) for 4 or more digits; ("email", prefix) when it
    has an @; ("name", prefix) for words; ("empty", "") or ("invalid", reason)."""
    query = " ".join(query.split())
    if not query:
        return ("empty", "")
    date = _parse_date(query)
    if date is not None:
        return ("dob", date)
    if "@" in query:
        return ("email", query.lower().replace(" ", ""))
    if _PHONE_CHARS.match(query):
        digits = "".join(c for c in query if c.isdigit())
        if len(digits) < PHONE_PART_DIGITS:
            return ("invalid", "digits")
        try:
            e164 = phone_normalise(query)
        except InvalidPhone:
            e164 = ""  # not a whole number: still a part of one
        return ("phone", (e164, digits))
    if any(c.isdigit() for c in query):
        return ("invalid", "digits")
    return ("name", " ".join(query.lower().replace(",", " ").split()))


def _prefix(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, answered by the field's index (the value is stored
    lower-case). PostgreSQL: LIKE 'x%' on the varchar_pattern_ops index. SQLite's LIKE is
    case-insensitive and cannot use a plain index, but SQLite compares bytes, so a range does the
    same on the index (not on PostgreSQL, whose collations may ignore spaces)."""
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
    return Q(**{f"{field}__startswith": prefix})


def _phone_part(digits: str) -> Q:
    """The stored number contains `digits`. PostgreSQL answers it from the trigram index on phone.
    SQLite has none: it reads the phone index whole (far smaller than the table) in a subquery,
    then fetches only the matching patients."""
    if connection.vendor == "sqlite":
        return Q(pk__in=Patient.objects.filter(phone__contains=digits).values("pk"))
    return Q(phone__contains=digits)


def _name_prefix(prefix: str) -> Q:
    return _prefix("search_name", prefix)


class SearchRow(NamedTuple):
    """One patient as the desk's results list shows them: only the columns it draws."""

    pk: int
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    phone: str
    email: str


def _search_matches(query: str) -> QuerySet[Patient] | None:
    """The patients `query` finds, in the order the desk sees them; None when it is no search.
    - a date of birth;
    - 4 or more digits: any part of the stored E.164 number (a trigram index on PostgreSQL), or
      the whole number however it was typed;
    - an e-mail address or its beginning;
    - words: the beginning of "last first" or "first last" ("Jane Doe", "doe jane", "Jane",
      "Doe, J"), and for one word also the beginning of the e-mail address."""
    kind, value = search_kind(query)
    # Sorted on an expression: with the plain column, PostgreSQL walked the whole search_name index
    # in order, filtering, to skip a sort — 200 ms at 50,000 patients for a name late in the
    # alphabet. Now it collects the matches through each condition's index and sorts only those.
    # The expression is search_name itself (|| ''): the column is stored lower-case, so Lower()
    # gave the same order, and lower-casing each of a common name's 2,500 matches again was a
    # third of the query's time.
    qs = _sorted_patients()
    if kind == "dob":
        return qs.filter(date_of_birth=cast(dt.date, value))  # search_kind's ("dob", date)
    if kind == "phone":
        e164, digits = cast(tuple[str, str], value)  # search_kind's ("phone", (e164 or "", digits))
        condition = _phone_part(digits)
        if e164:
            condition |= Q(phone=e164)
        return qs.filter(condition)
    if kind == "email":
        return qs.filter(_prefix("email", str(value)))
    if kind == "name":
        prefix = str(value)
        return _name_matches(prefix, with_email=_searches_email(prefix))
    return None


def _searches_email(prefix: str) -> bool:
    """One word typed is looked for in the e-mail addresses too; several words only in names."""
    return " " not in prefix


def _name_matches(prefix: str, *, with_email: bool) -> QuerySet[Patient]:
    """The beginning of "last first" or "first last", and `with_email` (one word typed) also the
    beginning of the e-mail address."""
    condition = _prefix("search_name", prefix) | _prefix("search_first_last", prefix)
    if with_email:
        condition |= _prefix("email", prefix)
    return _sorted_patients().filter(condition)


def _sorted_patients() -> QuerySet[Patient]:
    """Every patient in the order the desk reads them (see _search_matches for why an expression)."""
    return Patient.objects.order_by(_SORT_NAME, "id")


def patient_search(query: str, *, limit: int = SEARCH_LIMIT) -> list[Patient]:
    """The first `limit` patients `query` finds (see _search_matches), sorted by last then first
    name, in one query on indexes."""
    qs = _search_matches(query)
    return [] if qs is None else list(qs[:limit])


# A name searched for (the desk's most common search) by a statement compiled once per shape, one
# word or several: building and compiling the QuerySet cost a third of the query's own time.
_NAME_ROWS = {
    with_email: CompiledRead(
        lambda prefix, with_email=with_email: _name_matches(prefix, with_email=with_email).values_list(
            *SearchRow._fields
        )[:SEARCH_LIMIT],
        driver_typed=True,
        prefix=Prefix("qqstandinqq"),
    )
    for with_email in (False, True)
}


def patient_search_rows(query: str, *, limit: int = SEARCH_LIMIT) -> list[SearchRow]:
    """The same patients as patient_search, in the same order and one query, as the plain values
    the results list shows: a common last name fills the page, and reading all fifteen columns
    into fifty model instances cost more than sorting the matches."""
    kind, value = search_kind(query)
    if kind == "name" and limit == SEARCH_LIMIT:
        prefix = str(value)
        return [SearchRow._make(row) for row in _NAME_ROWS[_searches_email(prefix)].rows(prefix=prefix)]
    qs = _search_matches(query)
    if qs is None:
        return []
    return [SearchRow._make(row) for row in qs.values_list(*SearchRow._fields)[:limit]]


def patient_possible_duplicates(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None,
    phone: str = "",
    email: str = "",
    exclude_pk: int | None = None,
) -> list[Patient]:
    """Patients who may be the same person: same name and birth date, or same phone or e-mail."""
    condition = Q()
    if date_of_birth and first_name and last_name:
        search_name = f"{last_name.strip()} {first_name.strip()}".lower()
        condition |= Q(search_name=search_name, date_of_birth=date_of_birth)
    if phone:
        condition |= Q(phone=phone)
    if email:
        condition |= Q(email=email.strip().lower())
    if not condition:
        return []
    qs: QuerySet[Patient] = Patient.objects.filter(condition)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("search_name", "id")[:10])


_ANSWERS = CompiledRead(  # every page with patients on it asks: compiled once
    lambda ids: (
        ScreeningAnswer.objects.filter(among("patient_id", ids))  # a busy day's 330 patients: one parameter
        .order_by("patient_id", "question", "-answered_at", "-id")
        .values_list("patient_id", "question", "answer", "answered_at", "note")
    ),
    ids=[-7001],
)


def screening_latest(patient_ids: Iterable[int]) -> dict[int, dict[str, LatestAnswer]]:
    """The latest answer to each question, per patient, in question order, in one query: the one
    reading of the screening history for every page. Patients who never answered are absent."""
    ids = list({int(pk) for pk in patient_ids})
    if not ids:
        return {}
    labels = dict(ScreeningQuestion.choices)
    latest: dict[int, dict[str, LatestAnswer]] = {}
    for patient_id, question, answer, answered_at, note in _ANSWERS.rows(ids=ids):
        answers = latest.setdefault(patient_id, {})
        if question not in answers:
            label = str(labels.get(question, question))
            answers[question] = LatestAnswer(question, label, answered_at, note, answer)
    return latest


def screening_flags(patient_ids: Iterable[int]) -> dict[int, list[ScreeningFlag]]:
    """The questions whose latest answer is yes, per patient (one query). Patients without a flag
    are absent."""
    flags = {pk: [a for a in answers.values() if a.answer] for pk, answers in screening_latest(patient_ids).items()}
    return {pk: found for pk, found in flags.items() if found}


def screening_answers(*, patient_id: int) -> dict[str, bool]:
    """question -> the patient's latest answer, for the forms that show them again (one query)."""
    return {q: a.answer for q, a in screening_latest([patient_id]).get(patient_id, {}).items()}
