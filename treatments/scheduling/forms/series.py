"""Forms of the desk's booking pages. They parse and check the shape of the input; the booking
rules live in treatments/scheduling/services/booking.py."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.localtime import local_date, local_datetime, to_local
from clinic.models import AppointmentType, Location, Practitioner, Room
from treatments.models import Appointment, Protocol, Side
from treatments.scheduling.rules import too_many_sessions

PREFILL_KEYS = ("practitioner", "location", "protocol", "appointment_type", "side", "date", "time")


def prefill(query) -> dict:
    """Initial values from a link (the calendar's free slot): only known keys; the form still
    validates whatever is submitted."""
    return {key: query[key] for key in PREFILL_KEYS if query.get(key)}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class _When(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())

    def start(self) -> dt.datetime:
        return local_datetime(self.cleaned_data["date"], self.cleaned_data["time"])


class SeriesPlanForm(forms.Form):
    protocol = forms.ModelChoiceField(
        Protocol.objects.filter(active=True).select_related("appointment_type"), label=_("Protocol")
    )
    practitioner = forms.ModelChoiceField(Practitioner.objects.filter(active=True), label=_("Practitioner"))
    location = forms.ModelChoiceField(Location.objects.filter(active=True), label=_("Location"))
    side = forms.ChoiceField(
        label=_("Side"),
        choices=[
            (Side.LEFT, Side.LEFT.label),
            (Side.RIGHT, Side.RIGHT.label),
            (Side.BOTH, Side.BOTH.label),
            (Side.NONE, Side.NONE.label),
        ],
    )
    room = forms.ModelChoiceField(
        Room.objects.filter(active=True).select_related("location"), label=_("Room"), required=False
    )
    sessions = forms.IntegerField(
        label=_("Sessions"),
        min_value=1,
        max_value=24,
        required=False,
        help_text=_("Leave empty for the protocol's required sessions."),
    )
    date = forms.DateField(label=_("First session: date"), widget=DateInput())
    time = forms.TimeField(label=_("First session: time"), widget=TimeInput())

    def clean(self):
        data = super().clean()
        protocol = data.get("protocol")
        if protocol is not None:
            count = data.get("sessions") or protocol.required_sessions
            too_many = too_many_sessions(protocol, count)
            if too_many:
                self.add_error("sessions", too_many)
            data["sessions"] = count
        room, location = data.get("room"), data.get("location")
        if room is not None and location is not None and room.location_id != location.pk:
            self.add_error("room", _("That room is at another location."))
        return data

    def first_start(self) -> dt.datetime:
        return local_datetime(self.cleaned_data["date"], self.cleaned_data["time"])


class SessionForm(_When):
    """One proposed session the desk may change (prefix s1, s2, ...)."""


def session_forms(data, count: int, initial: list[dt.datetime | None] | None = None) -> list[SessionForm]:
    forms_ = []
    for i in range(count):
        start = initial[i] if initial and i < len(initial) else None
        init = {"date": local_date(start), "time": to_local(start).time()} if start else None
        forms_.append(SessionForm(data, prefix=f"s{i + 1}", initial=init))
    return forms_


class AppointmentForm(_When):
    practitioner = forms.ModelChoiceField(Practitioner.objects.filter(active=True), label=_("Practitioner"))
    location = forms.ModelChoiceField(Location.objects.filter(active=True), label=_("Location"))
    appointment_type = forms.ModelChoiceField(
        AppointmentType.objects.filter(active=True, is_injection=False), label=_("Type")
    )
    room = forms.ModelChoiceField(Room.objects.filter(active=True), label=_("Room"), required=False)

    field_order = ["appointment_type", "practitioner", "location", "room", "date", "time"]

    def booking(self) -> dict:
        """What `appointment_book` needs from a valid form: one mapping for every page that books."""
        data = self.cleaned_data
        return {
            "practitioner": data["practitioner"],
            "location": data["location"],
            "appointment_type": data["appointment_type"],
            "room": data["room"],
            "start": self.start(),
        }


class MoveForm(_When):
    reason = forms.CharField(label=_("Why"), max_length=250, required=False)
    shift_later = forms.BooleanField(label=_("Also move the later sessions to keep the spacing"), required=False)


class CancelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who cancelled"), choices=Appointment.CancelKind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=250)
    replan_rest = forms.BooleanField(
        label=_("Re-plan the later sessions from the last session before this one"), required=False
    )


class AddSessionForm(_When):
    pass


class DiscontinueForm(forms.Form):
    reason = forms.CharField(label=_("Reason for discontinuing"), max_length=250)
