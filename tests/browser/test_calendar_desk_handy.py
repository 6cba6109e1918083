"""The desk calendar made handy, in Chromium: book by clicking an empty slot (on the day and the
week views), a refusal shown in the dialog, short cards that keep their actions in view, moves by
dragging (to another time, day or practitioner) and by keyboard, keyboard shortcuts, and a day
that fits 1366x768 and a 390 px phone. The week of every practitioner: test_calendar_team_week.py."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.calendar_grid import DAY, click_slot, clock, drag_card, seeded  # noqa: F401 (fixtures used by name)
from tests.factories import PASSWORD, PatientFactory
from tests.treatments.factories_calendar import at, booking, practitioner_with_hours, series_booking
from treatments.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded", "clock")]


def test_desk_books_by_clicking_an_empty_slot_and_sees_a_refusal_in_the_dialog(login, desk_user, live_server):
    ada, _main = practitioner_with_hours("Dr Ada Stone")
    PatientFactory(first_name="Jane", last_name="Doe")
    PatientFactory(first_name="John", last_name="Doerr")
    page = login(desk_user.username, PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/desk/?date={DAY}")

    click_slot(page, f'.cal-col[data-practitioner="{ada.pk}"]', 11, 0)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Book Tuesday 11 May at 11:00 with Dr Ada Stone")
    expect(page.get_by_label("Find the patient")).to_be_focused()
    page.get_by_label("Find the patient").fill("doe")
    expect(dialog.get_by_role("button", name="Book Jane Doe")).to_be_visible()
    dialog.get_by_label("Type for Jane Doe").select_option(label="Follow-up")
    dialog.get_by_role("button", name="Book Jane Doe").click()

    expect(page.get_by_text("Jane Doe is booked at 11:00.")).to_be_visible()
    jane_at_11 = Appointment.objects.get(patient__last_name="Doe")
    card = page.locator(f"#appt-{jane_at_11.pk}")
    expect(card).to_contain_text("11:00–11:15")

    # A compact 15-minute card opens Move and Cancel inside its own box when pointed at (issue 19:
    # a working day fits the screen, the actions open over the card).
    # Measured in one frame: the grid may still be scrolling back to the desk's place.
    card.hover()
    margins = card.evaluate(
        """card => {
            const box = card.getBoundingClientRect();
            return [...card.querySelectorAll("a")]
                .filter(a => ["Move", "Cancel"].includes(a.textContent.trim()))
                .map(a => { const b = a.getBoundingClientRect(); return [b.top - box.top, box.bottom - b.bottom]; });
        }"""
    )
    assert len(margins) == 2
    assert all(top >= 0 and bottom >= -1 for top, bottom in margins), margins

    # The lunch break between her hours: the booking service refuses, the dialog says why.
    click_slot(page, f'.cal-col[data-practitioner="{ada.pk}"]', 12, 15)
    expect(dialog.get_by_role("heading")).to_have_text("Book Tuesday 11 May at 12:15 with Dr Ada Stone")
    page.get_by_label("Find the patient").fill("doerr")
    dialog.get_by_label("Type for John Doerr").select_option(label="Follow-up")
    dialog.get_by_role("button", name="Book John Doerr").click()
    expect(dialog.get_by_role("alert")).to_be_visible()
    expect(dialog).to_be_visible()
    assert Appointment.objects.count() == 1
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_desk_books_by_clicking_a_slot_on_the_week(login, desk_user, live_server):
    ada, _main = practitioner_with_hours("Dr Ada Stone")
    PatientFactory(first_name="Jane", last_name="Doe")
    page = login(desk_user.username, PASSWORD)
    page.goto(f"{live_server.url}/desk/week/{ada.pk}/?date={DAY}")
    thursday = DAY + dt.timedelta(days=2)
    click_slot(page, f'.cal-col[data-date="{thursday}"]', 9, 30)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Book Thursday 13 May at 09:30 with Dr Ada Stone")
    page.get_by_label("Find the patient").fill("doe")
    dialog.get_by_label("Type for Jane Doe").select_option(label="Consultation")
    dialog.get_by_role("button", name="Book Jane Doe").click()
    expect(page.get_by_text("Jane Doe is booked at 09:30.")).to_be_visible()
    expect(page.locator("#cal-date")).to_have_text("Thursday 13 May 2027")
    assert Appointment.objects.get().start == at(thursday, 9, 30)


def test_day_shortcuts_and_fit_at_desk_and_phone_sizes(login, desk_user, live_server):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    practitioner_with_hours("Dr Ben Hall", location=main)
    for n in range(8):
        booking(ada, main, at(DAY, 8, 30) + dt.timedelta(minutes=45 * n), slug="follow-up")
    page = login(desk_user.username, PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    expect(page.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 768 + 80, height  # the grid scrolls in its own box; at most the footer below the fold
    page.screenshot(path="var/calendar-day-1366.png")

    page.keyboard.press("n")
    expect(page.locator("#cal-date")).to_have_text("Wednesday 12 May 2027")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#cal-date")).to_have_text("Tuesday 11 May 2027")
    page.keyboard.press("/")
    expect(page.get_by_label("Find a patient")).to_be_visible()
    page.go_back()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="var/calendar-day-390.png", full_page=True)
    page.goto(f"{live_server.url}/messages/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_desk_moves_a_session_by_dragging_and_sees_the_spacing_first(login, desk_user, live_server):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    first = at(DAY - dt.timedelta(days=28), 10)
    _series, (_one, two, _three) = series_booking(ada, main, [first, at(DAY, 9), at(DAY + dt.timedelta(days=28), 9)])
    page = login(desk_user.username, PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    card = page.locator(f"#appt-{two.pk}")
    drag_card(page, card, f'.cal-col[data-practitioner="{ada.pk}"]', 10, 30)

    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("To: Tuesday 11 May, 10:30")
    expect(dialog).to_contain_text("Session 2: 28 days after session 1; protocol: 28.")
    assert Appointment.objects.get(pk=two.pk).start == at(DAY, 9)
    expect(dialog.get_by_role("button", name="Confirm the move")).to_be_focused()
    dialog.get_by_role("button", name="Confirm the move").click()
    expect(page.get_by_text("Moved 1 appointment.")).to_be_visible()
    expect(page.locator(f"#appt-{two.pk}")).to_contain_text("10:30–11:00")


def test_desk_drags_a_session_to_another_practitioners_column_on_the_day(login, desk_user, live_server):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=main)
    first = at(DAY - dt.timedelta(days=28), 10)
    _series, (_one, two) = series_booking(ada, main, [first, at(DAY, 9)])
    page = login(desk_user.username, PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    drag_card(page, page.locator(f"#appt-{two.pk}"), f'.cal-col[data-practitioner="{ben.pk}"]', 9, 0)

    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("To: Tuesday 11 May, 09:00")
    expect(dialog).to_contain_text("With Dr Ben Hall instead of Dr Ada Stone")
    expect(dialog).to_contain_text("Session 2: 28 days after session 1; protocol: 28.")
    dialog.get_by_role("button", name="Confirm the move").click()
    expect(page.get_by_text("Moved 1 appointment.")).to_be_visible()
    expect(page.locator(f'.cal-col[data-practitioner="{ben.pk}"] #appt-{two.pk}')).to_contain_text("09:00–09:30")
    assert Appointment.objects.get(pk=two.pk).practitioner == ben


def test_desk_moves_a_session_to_another_day_by_dragging_on_the_week(login, desk_user, live_server):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    first = at(DAY - dt.timedelta(days=28), 10)
    _series, (_one, two) = series_booking(ada, main, [first, at(DAY, 9)])
    page = login(desk_user.username, PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/desk/week/{ada.pk}/?date={DAY}")
    thursday = DAY + dt.timedelta(days=2)
    drag_card(page, page.locator(f"#appt-{two.pk}"), f'.cal-col[data-date="{thursday}"]', 9, 0)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("To: Thursday 13 May, 09:00")
    expect(dialog).to_contain_text("Session 2: 30 days after session 1; protocol: 28.")
    dialog.get_by_role("button", name="Confirm the move").click()
    expect(page.get_by_text("Moved 1 appointment.")).to_be_visible()
    expect(page.locator("#cal-date")).to_have_text("Thursday 13 May 2027")
    assert Appointment.objects.get(pk=two.pk).start == at(thursday, 9)


def test_desk_moves_a_card_with_the_keyboard(login, desk_user, live_server):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    alone = booking(ada, main, at(DAY, 9), slug="follow-up")
    page = login(desk_user.username, PASSWORD)
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    page.locator(f"#appt-{alone.pk} .cal-name a").focus()
    page.keyboard.press("m")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_contain_text("Move")
    expect(page.get_by_label("Time")).to_be_focused()
    page.keyboard.type("1415")  # hours then minutes in Chromium's time field
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text("To: Tuesday 11 May, 14:15")
    expect(dialog.get_by_role("button", name="Confirm the move")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Moved 1 appointment.")).to_be_visible()
    assert Appointment.objects.get(pk=alone.pk).start == at(DAY, 14, 15)


def test_the_open_day_refreshes_after_a_booking_from_another_desk(login, desk_user, live_server, browser):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    PatientFactory(first_name="Jane", last_name="Doe")
    page = login(desk_user.username, PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    page.locator(".cal-scroll").evaluate("(el) => { el.scrollTop = 40; }")
    page.evaluate("window.sameDocument = true")

    # A second desk, in its own browser context, books Jane at 11:00.
    other = browser.new_context()
    desk2 = other.new_page()
    desk2.goto(f"{live_server.url}/accounts/login/")
    desk2.get_by_label("Username").fill(desk_user.username)
    desk2.get_by_label("Password").fill(PASSWORD)
    desk2.get_by_role("button", name="Log in").click()
    desk2.goto(f"{live_server.url}/desk/?date={DAY}")
    click_slot(desk2, f'.cal-col[data-practitioner="{ada.pk}"]', 11, 0)
    desk2.get_by_label("Find the patient").fill("doe")
    desk2.get_by_role("dialog").get_by_role("button", name="Book Jane Doe").click()
    expect(desk2.get_by_text("Jane Doe is booked at 11:00.")).to_be_visible()
    other.close()

    # The first desk sees it within one poll, without a reload and at the same scroll position.
    jane = Appointment.objects.get()
    expect(page.locator(f"#appt-{jane.pk}")).to_contain_text("Jane Doe", timeout=15_000)
    assert page.locator(".cal-scroll").evaluate("(el) => el.scrollTop") == 40
    assert page.evaluate("window.sameDocument") is True
