"""The one way a view turns a message id into a Message: 404 for anything the user may not see."""

from clinic.access import object_or_404

from .models import Message


def message_for(user, pk: int | str) -> Message:
    return object_or_404(Message.objects.select_related("patient"), pk, user=user)
