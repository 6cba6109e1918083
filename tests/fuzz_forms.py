"""What the form fuzz (tests/test_fuzz_forms.py) needs besides the URLconf walk: the forms of a page
as a browser sees them, values a careless or hostile visitor might send, and the row counts that
prove nothing was half-saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from django.db import connection
from hypothesis import strategies as st

from notifications.models import Message
from patients.models import ConsultationRequest, Patient, PortalToken, ScreeningAnswer
from treatments.models import (
    Appointment,
    AppointmentChange,
    Attachment,
    InjectionSite,
    OnlineBooking,
    OutcomeScore,
    PainCheckIn,
    RecordAmendment,
    SessionRecord,
    TreatmentSeries,
    WaitlistEntry,
    WaitlistOffer,
)

# The tables a form of this site writes (the audit log is left out: opening a page writes to it).
MAIN_TABLES = [
    Patient,
    ScreeningAnswer,
    ConsultationRequest,
    PortalToken,
    TreatmentSeries,
    Appointment,
    AppointmentChange,
    WaitlistEntry,
    WaitlistOffer,
    SessionRecord,
    InjectionSite,
    RecordAmendment,
    OutcomeScore,
    PainCheckIn,
    Attachment,
    OnlineBooking,
    Message,
]

# What a page shows when it re-displays a form with errors (crispy-forms' Bootstrap 5 markup and
# the project's own alerts).
ERROR_MARKERS = ("is-invalid", "invalid-feedback", "errorlist", "alert-danger")


def row_counts() -> dict[str, int]:
    """Every main table's row count, in one query."""
    counts = [f"(SELECT COUNT(*) FROM {model._meta.db_table})" for model in MAIN_TABLES]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(counts))
        row = cursor.fetchone()
    return {model.__name__: n for model, n in zip(MAIN_TABLES, row, strict=True)}


@dataclass
class Field:
    name: str
    kind: str  # the input's type, "select", "textarea" or "button"
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    def key(self) -> tuple:
        return (self.method, self.action, tuple(sorted(self.fields)))


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            action = urljoin(self.page, a.get("action") or self.page)
            self._form = Form(method=(a.get("method") or "get").lower(), action=action)
            self.forms.append(self._form)
        elif self._form is None or not a.get("name") or "disabled" in a:
            return
        elif tag == "input":
            self._input(a)
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._add(a["name"], "button", a.get("value", ""))
        elif tag == "select":
            self._select = self._add(a["name"], "select", "")
        elif tag == "textarea":
            self._textarea = self._add(a["name"], "textarea", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def _input(self, a: dict) -> None:
        kind = a.get("type", "text").lower()
        if kind in ("checkbox", "radio", "submit"):
            existing = self._form.fields.get(a["name"])
            if existing is not None:
                existing.options.append(a.get("value", "on"))
                return
            self._add(a["name"], kind, a.get("value", "on") if "checked" in a else "").options.append(
                a.get("value", "on")
            )
        else:
            self._add(a["name"], kind, a.get("value", ""))

    def _add(self, name: str, kind: str, value: str) -> Field:
        return self._form.fields.setdefault(name, Field(name, kind, value))


class _OptionParser(HTMLParser):
    """The <option> values of every named <select>, by the select's name."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.options: dict[str, list[str]] = {}
        self._name: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "select":
            self._name = a.get("name")
        elif tag == "option" and self._name:
            self.options.setdefault(self._name, []).append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._name = None


def forms_of(page_path: str, html: str) -> list[Form]:
    """The forms on a page, each field with its value as served and, for choices, its options."""
    parser = _FormParser(page_path)
    parser.feed(html)
    options = _OptionParser()
    options.feed(html)
    for form in parser.forms:
        for f in form.fields.values():
            if f.kind == "select":
                f.options = options.options.get(f.name, [])
    return parser.forms


# --- Values ---------------------------------------------------------------------------------------

CONTROL = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\x7f"
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "99999999999999999999999999",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31T23:59",
    "25:61",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\u202eevil",
    "😀" * 3,
    "\x00",
]

text_values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(CONTROL + "a\u00e9\u4e2d\U0001f600"), max_size=20),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(min_value=300, max_value=4000)),
)


def field_value(f: Field) -> st.SearchStrategy:
    """Missing, as served, one of its own options, or junk."""
    served = [f.value, *f.options]
    return st.one_of(st.none(), st.sampled_from(served), text_values)


def form_data(form: Form) -> st.SearchStrategy[dict[str, str]]:
    """A submission of the form: the CSRF token as served, every other field drawn on its own."""
    drawn = {}
    for f in form.fields.values():
        drawn[f.name] = st.just(f.value) if f.name == "csrfmiddlewaretoken" else field_value(f)
    return st.fixed_dictionaries(drawn).map(lambda d: {k: v for k, v in d.items() if v is not None})
