"""Writes to education pages. Every save keeps a revision so an editor can see what changed."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction

from .models import Page, PageRevision

# What a revision keeps of the page as it was saved.
REVISION_FIELDS = ("title", "summary", "body", "status", "reviewed_by", "reviewed_on")


def page_revision_record(*, page: Page, by: User, now: dt.datetime) -> PageRevision:
    kept = {name: getattr(page, name) for name in REVISION_FIELDS}
    return PageRevision.objects.create(page=page, saved_at=now, saved_by=by, **kept)


def page_save(*, page: Page, by: User, now: dt.datetime) -> Page:
    """Save a page (new or changed) and its revision together."""
    with transaction.atomic():
        page.save()
        page_revision_record(page=page, by=by, now=now)
    return page
