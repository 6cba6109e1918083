"""The setup page's forms: a week typed as blocks per weekday, and a closure or time off."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.closures import clash_message, clashing_closure
from clinic.localtime import local_datetime
from clinic.models import Location, Practitioner, WorkingHours

BLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def parse_blocks(text: str) -> list[tuple[dt.time, dt.time]]:
    """ "09:00-12:00, 13:00-17:00" -> [(09:00, 12:00), (13:00, 17:00)]; "" -> []."""
    out = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        match = BLOCK.match(part)
        if not match:
            raise forms.ValidationError(
                _("Write each block as 09:00-12:00, blocks separated by commas (“%(part)s” is not)."),
                params={"part": part[:20]},
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise forms.ValidationError(_("“%(part)s” is not a time of day."), params={"part": part[:20]})
        start, end = dt.time(h1, m1), dt.time(23, 59) if h2 == 24 else dt.time(h2, m2)
        if end <= start:
            raise forms.ValidationError(_("“%(part)s” ends before it starts."), params={"part": part[:20]})
        out.append((start, end))
    return out


def blocks_text(blocks: list[WorkingHours]) -> str:
    return ", ".join(f"{b.start:%H:%M}-{b.end:%H:%M}" for b in blocks)


class WeekForm(forms.Form):
    """A practitioner's week at one location, one text field a weekday."""

    location = forms.ModelChoiceField(queryset=Location.objects.filter(active=True), label=_("Location"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in WorkingHours.Weekday.choices:
            self.fields[f"day_{value}"] = forms.CharField(
                label=label,
                required=False,
                max_length=100,
                help_text=_("e.g. 09:00-12:00, 13:00-17:00; empty: not working") if value == 0 else "",
            )

    def clean(self):
        data = super().clean()
        blocks = []
        for value, _label in WorkingHours.Weekday.choices:
            try:
                blocks += [(value, s, e) for s, e in parse_blocks(data.get(f"day_{value}", ""))]
            except forms.ValidationError as exc:
                self.add_error(f"day_{value}", exc)
        data["blocks"] = blocks
        return data


class DatedHoursForm(forms.Form):
    """Extra working time on one date (a Saturday worked once, a later Tuesday)."""

    location = forms.ModelChoiceField(queryset=Location.objects.filter(active=True), label=_("Location"))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end <= start:
            raise forms.ValidationError(_("The end must be after the start."))
        return data


class ClosureForm(forms.Form):
    """A closure (the clinic, a location) or a practitioner's time off, by days and times."""

    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(active=True),
        required=False,
        label=_("Who"),
        empty_label=_("Everyone"),
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.filter(active=True), required=False, label=_("Where"), empty_label=_("Every location")
    )
    first_day = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("From time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Empty: from the start of the day"),
    )
    last_day = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the same day"),
    )
    end_time = forms.TimeField(
        label=_("To time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Empty: to the end of the day"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=120, help_text=_("Shown on the calendar, e.g. Conference"))

    def __init__(self, *args, own: Practitioner | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.own = own
        if own is not None:
            # A practitioner's own time off: only theirs.
            del self.fields["practitioner"]

    def clean(self):
        data = super().clean()
        first = data.get("first_day")
        if first is None:
            return data
        last = data.get("last_day") or first
        start = local_datetime(first, data.get("start_time") or dt.time(0, 0))
        end_time = data.get("end_time")
        end = local_datetime(last, end_time) if end_time else local_datetime(last + dt.timedelta(days=1), dt.time(0, 0))
        if end <= start:
            raise forms.ValidationError(_("The end must be after the start."))
        data["starts_at"], data["ends_at"] = start, end
        if self.own is not None:
            data["practitioner"] = self.own
        # Said at the check, before any list of bookings (closure_add refuses it again on saving).
        practitioner, location = data.get("practitioner"), data.get("location")
        clash = clashing_closure(
            practitioner_id=practitioner.pk if practitioner else None,
            location_id=location.pk if location else None,
            starts_at=start,
            ends_at=end,
        )
        if clash is not None:
            raise forms.ValidationError(clash_message(clash, starts_at=start, ends_at=end))
        return data


class OwnTimeOffForm(forms.Form):
    """Whether practitioners add their own time off (ClinicSettings.practitioners_own_time_off)."""

    allowed = forms.TypedChoiceField(
        label=_("Practitioners add and remove their own time off"),
        choices=[("yes", _("Yes, each their own (under “My time off”)")), ("no", _("No, only the clinic admin"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no."), "invalid_choice": _("Choose yes or no.")},
    )
