"""The one way a view turns a message id into a Message: 404 for anything the user may not see."""

from django.http import Http404

from clinic import roles

from .models import Message
from .selectors import message_get


def message_for(user, pk: int | str) -> Message:
    if not roles.has_role(user, *roles.ALL_ROLES):
        raise Http404
    try:
        message = message_get(pk=int(pk))
    except (ValueError, TypeError):
        raise Http404 from None
    if message is None:
        raise Http404
    return message
