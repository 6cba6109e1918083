from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .defaults import CONTEXT_HELP
from .forms import MessageTemplateForm
from .models import Message, MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["kind", "channel", "subject", "updated_at"]
    list_filter = ["channel"]

    def get_fieldsets(self, request, obj=None):
        help_text = _("Words between {{ and }} are filled in when the message is sent: %(names)s.") % {
            "names": CONTEXT_HELP
        }
        return [(None, {"fields": ["kind", "channel", "subject", "text", "html"], "description": help_text})]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: the outbox is written by services; the desk's log is /messages/."""

    list_display = ["id", "patient", "kind", "channel", "status", "send_at", "sent_at", "attempts"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["dedupe_key", "to"]
    raw_id_fields = ["patient"]
    date_hierarchy = "send_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # The log of what was sent to a patient is kept whole.
        return False
