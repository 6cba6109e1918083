"""Validation for the clinic setup screens: clear messages instead of database errors."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .closures import clash_message, clashing_closure
from .forms import NameField
from .models import AppointmentType, Closure, Practitioner, WorkingHours

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _clean_colour(value: str) -> str:
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(_("Use a colour like #0d6efd (a # and six hexadecimal digits)."))
    return value.lower()


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


class WorkingHoursForm(forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["practitioner", "location", "weekday", "start", "end"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The block must end after it starts (%(start)s).") % {"start": f"{start:%H:%M}"})
        return data


class StandaloneWorkingHoursForm(WorkingHoursForm):
    """Edited on its own: compare with the practitioner's other blocks in the database."""

    def clean(self):
        data = super().clean()
        practitioner, weekday = data.get("practitioner"), data.get("weekday")
        start, end = data.get("start"), data.get("end")
        if practitioner is None or weekday is None or not start or not end or end <= start:
            return data
        others = WorkingHours.objects.filter(practitioner=practitioner, weekday=weekday).exclude(pk=self.instance.pk)
        for other in others:
            if _overlap(start, end, other.start, other.end):
                raise ValidationError(
                    _("This block overlaps %(other)s. A practitioner cannot work two blocks at once.")
                    % {"other": f"{other.start:%H:%M}-{other.end:%H:%M} ({other.location})"}
                )
        return data


class WorkingHoursInlineFormSet(forms.BaseInlineFormSet):
    """All of a practitioner's blocks are edited together: compare the submitted ones."""

    def clean(self):
        super().clean()
        blocks = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            if data.get("weekday") is None or not data.get("start") or not data.get("end"):
                continue
            if data["end"] <= data["start"]:
                continue
            blocks.append((data["weekday"], data["start"], data["end"]))
        blocks.sort()
        for (day_a, start_a, end_a), (day_b, start_b, end_b) in zip(blocks, blocks[1:], strict=False):
            if day_a == day_b and _overlap(start_a, end_a, start_b, end_b):
                weekday = WorkingHours.Weekday(day_a).label
                raise ValidationError(
                    _("Two blocks overlap on %(day)s: %(a)s and %(b)s. Make one end before the other starts.")
                    % {"day": weekday, "a": f"{start_a:%H:%M}-{end_a:%H:%M}", "b": f"{start_b:%H:%M}-{end_b:%H:%M}"}
                )


class ClosureForm(forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["reason", "location", "practitioner", "starts_at", "ends_at"]

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The closure must end after it starts."))
        elif start and end:
            # The rule the desk's setup page keeps (clinic/closures.py): no repeat, no overlap
            # for the same practitioner and place.
            practitioner, location = data.get("practitioner"), data.get("location")
            clash = clashing_closure(
                practitioner_id=practitioner.pk if practitioner else None,
                location_id=location.pk if location else None,
                starts_at=start,
                ends_at=end,
                exclude_pk=self.instance.pk,
            )
            if clash is not None:
                raise ValidationError(clash_message(clash, starts_at=start, ends_at=end))
        return data


class AppointmentTypeForm(forms.ModelForm):
    class Meta:
        model = AppointmentType
        fields = [
            "name",
            "slug",
            "duration_minutes",
            "buffer_minutes",
            "colour",
            "is_injection",
            "bookable_online",
            "active",
        ]

    def clean_colour(self) -> str:
        return _clean_colour(self.cleaned_data.get("colour", ""))

    def clean_duration_minutes(self) -> int:
        value = self.cleaned_data["duration_minutes"]
        if value < 5 or value > 480:
            raise ValidationError(_("A duration is between 5 and 480 minutes."))
        if value % 5:
            raise ValidationError(_("Use a multiple of 5 minutes: the calendar works in 5-minute steps."))
        return value

    def clean_buffer_minutes(self) -> int:
        value = self.cleaned_data["buffer_minutes"]
        if value > 120:
            raise ValidationError(_("A buffer is at most 120 minutes."))
        return value


class PractitionerForm(forms.ModelForm):
    # The name patients read in their messages and the desk on its calendars: no invisible controls.
    display_name = NameField(label=_("Display name"), max_length=120)

    class Meta:
        model = Practitioner
        fields = ["user", "display_name", "title", "npi", "licence", "colour", "active"]

    def clean_colour(self) -> str:
        return _clean_colour(self.cleaned_data.get("colour", ""))


# SQLite keeps integers in 64 bits: an id past that in a multiple choice (a forged form) made
# Django's `pk__in` query raise OverflowError — a server error instead of "not one of the choices".
ID_LIMIT = 2**63


class IdsMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value or ():
            try:
                out_of_range = abs(int(pk)) >= ID_LIMIT
            except (TypeError, ValueError):
                continue  # Django's own check refuses it with its message
            if out_of_range:
                message = self.error_messages["invalid_pk_value"]
                raise ValidationError(message, code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)
