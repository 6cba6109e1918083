from django import forms
from django.utils.translation import gettext_lazy as _

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
    """The admin's edit form: a template that does not parse is refused with the parser's reason."""

    class Meta:
        model = MessageTemplate
        fields = ["kind", "channel", "subject", "text", "html"]

    def clean(self):
        data = super().clean()
        for name in ("subject", "text", "html"):
            try:
                template_check(data.get(name) or "")
            except Exception as exc:  # noqa: BLE001 (any parser error is shown to the admin)
                self.add_error(name, _("This template does not parse: %(error)s") % {"error": exc})
        # Every message must carry its one-click way out (the e-mail wrapper adds one to the HTML).
        if "unsubscribe_url" not in (data.get("text") or ""):
            self.add_error("text", _("Keep {{ unsubscribe_url }} in the text: every message must offer a way out."))
        return data
