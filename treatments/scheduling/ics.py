"""A small iCalendar (RFC 5545) writer for the practitioner feed and "add to calendar" files.
Events carry the clinic, the time and a neutral title only: never a diagnosis or body part."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from clinic.localtime import to_utc


@dataclass(frozen=True)
class Event:
    uid: str
    start: dt.datetime
    end: dt.datetime
    summary: str
    location: str = ""
    description: str = ""
    status: str = "CONFIRMED"  # or CANCELLED
    sequence: int = 0
    stamp: dt.datetime | None = None


# Every line break a text may hold (CR LF, a lone CR or LF, and the Unicode ones) becomes the
# escaped "\n" of RFC 5545 3.3.11; any other control character is dropped. A raw CR or LF in a value
# would end the content line and let a patient's name or a clinic setting start lines of its own.
_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _plain(text: str) -> str:
    """The text on one line: line breaks become spaces and control characters go (for values that
    are not TEXT, such as the UID)."""
    return _CONTROL.sub("", _LINE_BREAK.sub(" ", text)).replace("\t", " ")


def _escape(text: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, line breaks as "\n", no control
    characters."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("", _LINE_BREAK.sub("\\\\n", text)).replace("\t", " ")


def _utc(value: dt.datetime) -> str:
    return to_utc(value).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded with CRLF + space (RFC 5545 3.1)."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    chunk = b""
    for char in line:
        encoded = char.encode()
        if len(chunk) + len(encoded) > (75 if not parts else 74):
            parts.append(chunk.decode())
            chunk = b""
        chunk += encoded
    parts.append(chunk.decode())
    return "\r\n ".join(parts)


def calendar(events: Iterable[Event], *, name: str, now: dt.datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Prolo//Clinic calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    host = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0] or "prolo"
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_plain(event.uid)}@{_plain(host)}",
            f"DTSTAMP:{_utc(event.stamp or now)}",
            f"DTSTART:{_utc(event.start)}",
            f"DTEND:{_utc(event.end)}",
            f"SUMMARY:{_escape(event.summary)}",
            f"STATUS:{_plain(event.status)}",
            f"SEQUENCE:{event.sequence}",
        ]
        if event.location:
            lines.append(f"LOCATION:{_escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{_escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
