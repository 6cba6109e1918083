"""Forms of the calendar pages: next free slot, waitlist entry."""

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.localtime import local_datetime, to_local
from clinic.models import AppointmentType, Location, Practitioner
from treatments.models import Appointment


class _WithWhoAndWhat(forms.Form):
    """Which active practitioner, for which active appointment type: both calendar forms start so."""

    practitioner = forms.ModelChoiceField(label=_("Practitioner"), queryset=Practitioner.objects.filter(active=True))
    appointment_type = forms.ModelChoiceField(
        label=_("Appointment type"), queryset=AppointmentType.objects.filter(active=True)
    )


class NextSlotForm(_WithWhoAndWhat):
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.filter(active=True),
        required=False,
        empty_label=_("Any location"),
    )
    after = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("find", _("Find the next free slot")))

    def clean_after(self):
        value = self.cleaned_data.get("after")
        if value and value > self.today + dt.timedelta(days=730):
            raise forms.ValidationError(_("Choose a date within the next two years."))
        return value


class WaitlistForm(_WithWhoAndWhat):
    appointment = forms.ModelChoiceField(
        label=_("Booked appointment to bring forward"),
        queryset=Appointment.objects.none(),
        required=False,
        empty_label=_("None: any earlier slot"),
    )
    note = forms.CharField(label=_("Note for the desk"), max_length=250, required=False)

    def __init__(self, *args, patient, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment"].queryset = (
            Appointment.objects.filter(patient=patient, status=Appointment.Status.BOOKED, start__gt=now)
            .select_related("appointment_type", "practitioner")
            .order_by("start")
        )
        self.fields["appointment"].label_from_instance = self._label
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Add to the waitlist")))

    @staticmethod
    def _label(appointment: Appointment) -> str:
        local = to_local(appointment.start)
        return f"{local:%Y-%m-%d %H:%M} · {appointment.appointment_type.name} · {appointment.practitioner}"

    def clean(self):
        data = super().clean()
        appointment, practitioner = data.get("appointment"), data.get("practitioner")
        if appointment and practitioner and appointment.practitioner_id != practitioner.pk:
            self.add_error("appointment", _("That appointment is with another practitioner."))
        return data


class SlotForm(forms.Form):
    """The empty slot the desk clicked on the calendar, and what it typed to find the patient.
    Only the slot's shape is checked here; appointment_book applies the booking rules."""

    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.filter(active=True))
    date = forms.DateField()
    time = forms.TimeField()
    q = forms.CharField(label=_("Find the patient"), max_length=100, required=False)

    def clean_date(self):
        value = self.cleaned_data["date"]
        if not 2000 <= value.year <= 2100:
            raise forms.ValidationError(_("Choose a date between 2000 and 2100."))
        return value


class CalendarMoveForm(forms.Form):
    """Where a card dragged (or keyed) on the calendar should go. The move rules are
    appointment_move's."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"))
    shift_later = forms.BooleanField(label=_("Also move the later sessions to keep the spacing"), required=False)
    # Empty keeps the appointment's own practitioner.
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"), queryset=Practitioner.objects.filter(active=True), required=False
    )
    # Empty: where the practitioner it goes to works then (a colleague may work elsewhere).
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.filter(active=True), required=False
    )
    # Which view to go back to once moved.
    back = forms.ChoiceField(choices=[("", "day"), ("week", "week")], required=False)

    def clean_date(self):
        value = self.cleaned_data["date"]
        if not 2000 <= value.year <= 2100:
            raise forms.ValidationError(_("Choose a date between 2000 and 2100."))
        return value

    def start(self) -> dt.datetime:
        return local_datetime(self.cleaned_data["date"], self.cleaned_data["time"])
