"""The shape every access helper shares: a role check, then one row by id, or 404.

A forbidden object and a missing one get the same answer, so a guessed URL tells nothing about
what exists. Each app keeps its own `<thing>_for(user, pk)` helpers, built on this one."""

from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from clinic import roles

M = TypeVar("M", bound=Model)


def object_or_404(queryset: QuerySet[M], pk: int | str | None, *, user, allowed: Iterable[str] = roles.ALL_ROLES) -> M:
    if not roles.has_role(user, *allowed):
        raise Http404
    if pk is None:  # no id given (a missing query parameter)
        raise Http404
    try:
        return queryset.get(pk=int(pk))
    except (ObjectDoesNotExist, ValueError, TypeError):  # queryset.get raises its model's DoesNotExist
        raise Http404 from None
