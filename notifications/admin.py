from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.admin_base import ReadOnlyAdmin
from clinic.models import ClinicSettings

from .budget import template_preview
from .defaults import CONTEXT_HELP
from .forms import MessageTemplateForm
from .models import Message, MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["kind", "channel", "subject", "sms_segments", "updated_at"]
    list_filter = ["channel"]
    readonly_fields = ["preview"]

    def get_fieldsets(self, request, obj=None):
        help_text = _("Words between {{ and }} are filled in when the message is sent: %(names)s.") % {
            "names": CONTEXT_HELP
        }
        fieldsets = [(None, {"fields": ["kind", "channel", "subject", "text", "html"], "description": help_text})]
        if obj is not None:
            fieldsets.append(
                (
                    _("Preview with sample data"),
                    {
                        "fields": ["preview"],
                        "description": _(
                            "The saved words rendered with the longest sample values: a 40-character "
                            "clinic name, the longest date, a real-length link."
                        ),
                    },
                )
            )
        return fieldsets

    def _preview(self, obj: MessageTemplate):
        return template_preview(
            kind=obj.kind,
            channel=obj.channel,
            subject=obj.subject,
            text=obj.text,
            html=obj.html,
            clinic=ClinicSettings.load(),
        )

    @admin.display(description=_("SMS segments"))
    def sms_segments(self, obj: MessageTemplate) -> str:
        return str(self._preview(obj).segments) if obj.channel == "sms" else "—"

    @admin.display(description=_("Preview"))
    def preview(self, obj: MessageTemplate) -> str:
        shown = self._preview(obj)
        if shown.segments is not None:
            return format_html(
                '<p class="sms-segments"><strong>{}</strong> {}</p><pre style="white-space: pre-wrap">{}</pre>',
                str(shown.segments),
                _("(the costlier of the sample names, here “%(name)s”)") % {"name": shown.first_name},
                shown.rendered.text,
            )
        return format_html(
            '<p><strong>{}</strong></p><pre style="white-space: pre-wrap">{}</pre>',
            shown.rendered.subject,
            shown.rendered.text,
        )


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """Read-only: the outbox is written by services, and the log of what was sent to a patient is
    kept whole; the desk's log is /messages/."""

    list_display = ["id", "patient", "kind", "channel", "status", "send_at", "sent_at", "attempts"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["dedupe_key", "to"]
    raw_id_fields = ["patient"]
    date_hierarchy = "send_at"
