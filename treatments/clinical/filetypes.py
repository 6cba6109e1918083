"""What kind of file an upload really is, read from its first bytes (its "magic number"), never
from its name or the browser's claim: a renamed executable stays an executable. Pure code."""

import os
import re
import unicodedata

# The formats the clinic accepts (imaging reports, referral letters, photos), with the extension
# a download gets. Signatures: PDF 1.x/2.0 files start "%PDF-"; JPEG starts with the SOI marker
# FF D8 FF; PNG with its fixed 8-byte signature.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
HEAD_BYTES = 8


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a file starting with `head`, or None if it is not one we take."""
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def display_name(name: str | None, *, extension: str, limit: int = 100) -> str:
    """A harmless name to show and to offer in the download: the last path part only (so
    "../../x.pdf" is "x.pdf"), no control or separator characters, the real extension."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = os.path.splitext(name)[0].strip(" .") or "attachment"
    return f"{stem[:limit]}.{extension}"
