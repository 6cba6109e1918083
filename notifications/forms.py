from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.models import ClinicSettings

from .budget import SAMPLE_CLINIC_NAME_LENGTH, template_preview, unknown_placeholders
from .models import Message, MessageTemplate
from .rendering import template_check


class MessageFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Message.Status.choices]
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *Message.Kind.choices])
    day_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    day_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("day_from") and data.get("day_to") and data["day_from"] > data["day_to"]:
            raise forms.ValidationError(_("The first day must not be after the last day."))
        return data


class MessageTemplateForm(forms.ModelForm):
    """The admin's edit form. Refused, with the reason: a template that does not parse, one that
    reads a placeholder the sender never fills in, and a text that costs more than two SMS
    segments with the longest sample values (notifications/budget.py)."""

    class Meta:
        model = MessageTemplate
        fields = ["kind", "channel", "subject", "text", "html"]

    def clean(self):
        data = super().clean()
        # Read before the checks below: add_error() drops a field from cleaned_data, and a text
        # refused for one reason must not then read as empty (a false "Keep Reply STOP").
        values = {name: data.get(name) or "" for name in ("subject", "text", "html")}
        parsed = True
        for name in ("subject", "text", "html"):
            try:
                template_check(values[name])
            except Exception as exc:  # noqa: BLE001 (any parser error is shown to the admin)
                parsed = False
                self.add_error(name, _("This template does not parse: %(error)s") % {"error": exc})
                continue
            unknown = unknown_placeholders(values[name])
            if unknown:
                parsed = False
                self.add_error(
                    name, _("Unknown placeholder: %(names)s. It would be sent blank.") % {"names": ", ".join(unknown)}
                )
        text = values["text"]
        if data.get("channel") == "sms":
            # A text's way out is the STOP reply (treatments/inbox/replies.py): no room for a long link.
            if "STOP" not in text:
                self.add_error("text", _("Keep “Reply STOP” in the text: every message must offer a way out."))
            if parsed and not self.errors.get("kind"):
                self._check_budget(data, text=text)
        elif "unsubscribe_url" not in text:
            # Every e-mail carries its one-click way out (the e-mail wrapper adds one to the HTML).
            self.add_error("text", _("Keep {{ unsubscribe_url }} in the text: every message must offer a way out."))
        return data

    def _check_budget(self, data: dict, *, text: str) -> None:
        preview = template_preview(
            kind=data.get("kind") or "reminder",
            channel="sms",
            subject="",
            text=text,
            html="",
            clinic=ClinicSettings.load(),
        )
        segments = preview.segments
        assert segments is not None  # an SMS preview always has its count
        if not segments.fits:
            self.add_error(
                "text",
                _(
                    "Too long for two SMS segments: with a %(length)s-character clinic name and a patient "
                    "named “%(name)s” it costs %(count)s. Shorten it to at most %(budget)s characters as sent."
                )
                % {
                    "length": SAMPLE_CLINIC_NAME_LENGTH,
                    "name": preview.first_name,
                    "count": segments,
                    "budget": segments.budget,
                },
            )
