import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from treatments.scheduling.ics import Event, calendar

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_calendar_is_rfc5545_with_crlf_and_utc_times():
    text = calendar(
        [Event(uid="appt-1", start=NOW, end=NOW + dt.timedelta(minutes=30), summary="Session, Prolo Clinic")],
        name="Dr Who",
        now=NOW,
    )
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert "DTSTART:20260301T120000Z\r\n" in text
    assert "DTEND:20260301T123000Z\r\n" in text
    assert "SUMMARY:Session\\, Prolo Clinic\r\n" in text
    assert text.endswith("END:VCALENDAR\r\n")


def test_long_lines_are_folded_at_75_octets():
    text = calendar([Event(uid="x", start=NOW, end=NOW + dt.timedelta(hours=1), summary="é" * 100)], name="n", now=NOW)
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:" + "é" * 100 in unfolded


PROPERTIES = {
    "BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME", "UID", "DTSTAMP", "DTSTART",
    "DTEND", "SUMMARY", "STATUS", "SEQUENCE", "LOCATION", "DESCRIPTION",
}  # fmt: skip


def _content_lines(text: str) -> list[str]:
    assert text.endswith("\r\n")
    return text[:-2].replace("\r\n ", "").split("\r\n")


def test_a_lone_carriage_return_in_a_name_cannot_start_a_line_of_its_own():
    event = Event(
        uid="appt-1\r\nX-EVIL:1",
        start=NOW,
        end=NOW + dt.timedelta(minutes=30),
        summary="Session – Jane\rATTENDEE:mailto:x@example.com",
        location="Main\u2028Street\x00\x07",
        description="Call\n\nus\x0b\x85",
    )
    text = calendar([event], name="Clinic\rMETHOD:CANCEL", now=NOW)
    lines = _content_lines(text)
    assert [line.split(":", 1)[0] for line in lines if line.split(":", 1)[0] not in PROPERTIES] == []
    assert "SUMMARY:Session – Jane\\nATTENDEE:mailto:x@example.com" in lines
    assert "LOCATION:Main\\nStreet" in lines
    assert "DESCRIPTION:Call\\n\\nus\\n\\n" in lines
    assert "X-WR-CALNAME:Clinic\\nMETHOD:CANCEL" in lines
    assert lines.count("METHOD:PUBLISH") == 1 and not any(line.startswith("METHOD:CANCEL") for line in lines)


@settings(max_examples=100, deadline=None)
@given(summary=st.text(), location=st.text(), description=st.text(), name=st.text())
def test_no_text_value_can_break_out_of_its_line(summary, location, description, name):
    event = Event(
        uid="appt-1",
        start=NOW,
        end=NOW + dt.timedelta(minutes=30),
        summary=summary,
        location=location,
        description=description,
    )
    text = calendar([event], name=name, now=NOW)
    for line in _content_lines(text):
        assert line.split(":", 1)[0] in PROPERTIES
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in line)
    for raw in text.split("\r\n"):
        assert len(raw.encode()) <= 75


def test_commas_semicolons_and_backslashes_are_escaped_once_per_rfc_5545():
    event = Event(
        uid="appt-1",
        start=NOW,
        end=NOW + dt.timedelta(minutes=30),
        summary="Smith, Jones; Partners",
        location="Suite 2\\B; 1 Main St, Springfield",
        description="Call 555-0100; or write, please \\ thanks",
    )

    lines = _content_lines(calendar([event], name="A, B; C\\D", now=NOW))

    assert "SUMMARY:Smith\\, Jones\\; Partners" in lines
    assert "LOCATION:Suite 2\\\\B\\; 1 Main St\\, Springfield" in lines
    assert "DESCRIPTION:Call 555-0100\\; or write\\, please \\\\ thanks" in lines
    assert "X-WR-CALNAME:A\\, B\\; C\\\\D" in lines
