import datetime as dt

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
