"""Writes to education pages. Every save keeps a revision so an editor can see what changed."""

import datetime as dt

from django.db import transaction

from .models import Page, PageRevision


def page_revision_record(*, page: Page, by, now: dt.datetime) -> PageRevision:
    return PageRevision.objects.create(
        page=page,
        title=page.title,
        summary=page.summary,
        body=page.body,
        status=page.status,
        reviewed_by=page.reviewed_by,
        reviewed_on=page.reviewed_on,
        saved_at=now,
        saved_by=by,
    )


def page_save(*, page: Page, by, now: dt.datetime) -> Page:
    """Save a page (new or changed) and its revision together."""
    with transaction.atomic():
        page.save()
        page_revision_record(page=page, by=by, now=now)
    return page
