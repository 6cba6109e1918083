"""Attachments: store an upload under settings.ATTACHMENTS_DIR by a name we generate, open it for
the download view. The type is read from the file's first bytes, the size from the upload; the
user's file name is only ever a label."""

import datetime as dt
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from patients.models import Patient
from treatments.clinical.filetypes import HEAD_BYTES, display_name, sniff
from treatments.models import Attachment, SessionRecord


class AttachmentError(Exception):
    """A clear, user-facing reason why nothing was stored."""


def attachments_root() -> Path:
    # Read at call time, so a deployment (or a test) can point it elsewhere.
    return Path(settings.ATTACHMENTS_DIR)


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_MB * 1024 * 1024


def attachment_path(attachment: Attachment) -> Path:
    return attachments_root() / attachment.stored_name


def attachment_add(
    *,
    patient: Patient,
    upload: UploadedFile,
    kind: str,
    user: User,
    now: dt.datetime,
    record: SessionRecord | None = None,
) -> Attachment:
    """Check and store one uploaded file. Nothing is written (file or row) when it is refused."""
    if kind not in Attachment.Kind.values:
        raise AttachmentError(_("Choose what kind of document this is."))
    if record is not None and record.appointment.patient_id != patient.pk:
        raise AttachmentError(_("That session belongs to another patient."))
    assert upload.size is not None  # Django's upload handlers always set it
    if upload.size == 0:
        raise AttachmentError(_("The file is empty."))
    if upload.size > max_bytes():
        raise AttachmentError(
            _("The file is too large: at most %(mb)s MB is accepted.") % {"mb": settings.ATTACHMENT_MAX_MB}
        )
    upload.seek(0)
    found = sniff(upload.read(HEAD_BYTES))
    if found is None:
        raise AttachmentError(_("Only PDF, JPEG and PNG files are accepted, and this file is none of them."))
    content_type, extension = found
    # A random name under a month folder: nothing the user typed reaches the file system.
    stored_name = f"{now:%Y/%m}/{secrets.token_hex(16)}.{extension}"
    target = attachments_root() / stored_name
    target.parent.mkdir(parents=True, exist_ok=True)
    upload.seek(0)
    with target.open("xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        with transaction.atomic():
            return Attachment.objects.create(
                patient=patient,
                record=record,
                kind=kind,
                title=display_name(upload.name, extension=extension),
                stored_name=stored_name,
                content_type=content_type,
                size=upload.size,
                uploaded_by=user,
                uploaded_at=now,
            )
    except Exception:
        target.unlink(missing_ok=True)
        raise
