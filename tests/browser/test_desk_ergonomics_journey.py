"""The desk's ergonomics (issue 19, items 12-16), in Chromium at a desk's 1366x768 and a phone's
390x844, with axe on every page visited: an empty time takes focus and books on Enter, the message
and the new card stay in view after booking, a working day fits the desk's screen, "/" finds a
patient, the week of every practitioner gives names the room, no page scrolls sideways on a
phone, the plain move page shows the later sessions' new dates first, and the portal's self-move
offers every free time of a day."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from notifications import delivery
from tests.browser.axe_portal import assert_accessible
from tests.browser.calendar_grid import DAY, NOW, click_slot, clock, seeded  # noqa: F401 (fixtures used by name)
from tests.factories import PASSWORD, PatientFactory, PractitionerFactory, appointment_type
from tests.treatments.factories_calendar import at, booking, practitioner_with_hours, series_booking
from tests.treatments.factories_portal import issue_link
from treatments.models import Appointment, WaitlistEntry
from treatments.scheduling import messaging

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded", "clock")]

SIZES = {"desk": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def _fits_the_width(page) -> None:
    """Nothing scrolls the page sideways (a wide table or grid scrolls inside its own box)."""
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url} is {wide}px wider than the screen"


def _visit(page, url: str) -> None:
    page.goto(url)
    _fits_the_width(page)
    assert_accessible(page)


@pytest.fixture
def clinic(practitioner_user):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    ada.user = practitioner_user
    ada.save(update_fields=["user"])
    PractitionerFactory(display_name="Dr Benjamin Okafor-Whitfield")
    jane = PatientFactory(first_name="Jane", last_name="Doe", email="jane.doe.with.a.rather.long.address@example.com")
    series, sessions = series_booking(
        ada, main, [at(DAY + dt.timedelta(days=1), 9), at(DAY + dt.timedelta(days=29), 9)], patient=jane
    )
    messaging.series_booked(series=series, now=NOW)
    delivery.messages_sweep(now=NOW)
    WaitlistEntry.objects.create(
        patient=PatientFactory(first_name="Walker", last_name="Brown"),
        practitioner=ada,
        appointment_type=appointment_type("follow-up"),
        note="Any morning",
        created_at=NOW,
    )
    booking(ada, main, at(DAY, 14), patient=PatientFactory(first_name="Amelia", last_name="Hart"))
    return {"ada": ada, "jane": jane, "series": series, "second": sessions[1]}


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_the_desk_books_by_keyboard_sees_its_booking_and_every_page_fits(browser, live_server, clinic, size):
    ada, jane, series = clinic["ada"], clinic["jane"], clinic["series"]
    context = browser.new_context(bypass_csp=True, viewport=SIZES[size])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(ada.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    _visit(page, f"{live_server.url}/desk/?date={DAY}")
    if size == "desk":
        # A working day of 8-10 hours fits the calendar's visible height (an hour was 145 px).
        hours = page.evaluate(
            """() => {
                const box = document.querySelector('.cal-scroll');
                const grid = document.querySelector('.cal-col .cal-grid');
                const head = document.querySelector('.cal-col .cal-head');
                const rows = parseInt(document.querySelector('.cal').dataset.rows, 10);
                const hour = grid.getBoundingClientRect().height / rows * 12;
                return (box.clientHeight - head.offsetHeight) / hour;
            }"""
        )
        assert hours >= 8, hours
        # Compact cards keep time, name and type; the actions open on hover.
        card = page.locator(".cal-appt").filter(has_text="Amelia Hart")
        expect(card).to_contain_text("14:00–14:30")
        expect(card).to_contain_text("Injection session")
        expect(card.get_by_role("link", name="Move")).to_be_hidden()
        card.hover()
        expect(card.get_by_role("link", name="Move")).to_be_visible()

    # An empty time takes focus and books on Enter; the arrows move it by a quarter of an hour.
    free = page.locator(f'.cal-col[data-practitioner="{ada.pk}"] .cal-open').first
    free.focus()
    expect(free).to_be_focused()
    expect(free).to_have_attribute("role", "button")
    free.press("ArrowDown")
    free.press("ArrowDown")
    expect(free).to_have_attribute(
        "aria-label",
        "Free 08:00–12:00, Dr Ada Stone: Enter books at 08:30; up and down arrows: 15 minutes earlier or later",
    )
    free.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Book Tuesday 11 May at 08:30 with Dr Ada Stone")
    page.get_by_label("Find the patient").fill("doe")
    dialog.get_by_label("Type for Jane Doe").select_option(label="Follow-up")
    dialog.get_by_role("button", name="Book Jane Doe").click()

    # The message and the new card both in view, the card below the sticky column headings.
    message = page.get_by_text("Jane Doe is booked at 08:30.")
    expect(message).to_be_in_viewport()
    booked = Appointment.objects.get(patient=jane, start=at(DAY, 8, 30))
    card = page.locator(f"#appt-{booked.pk}")
    expect(card).to_be_in_viewport()
    page.wait_for_timeout(300)  # the page places the card again once it has loaded
    below = page.evaluate(
        """id => {
            const el = document.getElementById(id);
            const head = el.closest('.cal-col').querySelector('.cal-head').getBoundingClientRect();
            return el.getBoundingClientRect().top - head.bottom;
        }""",
        f"appt-{booked.pk}",
    )
    assert below >= 0, below
    _fits_the_width(page)
    assert_accessible(page)

    # "/" puts the cursor in the patient search box.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Find a patient")).to_be_focused()

    # The week of every practitioner: a name has the card's first line and a title.
    _visit(page, f"{live_server.url}/desk/week/?date={DAY}")
    name = page.locator(f"#appt-{booked.pk} .cal-name a")
    expect(name).to_have_attribute("title", "Jane Doe")
    expect(page.locator(f'.cal-col[data-practitioner="{ada.pk}"] h3').first).to_have_attribute("title", "Dr Ada Stone")

    # Every page the desk reads fits a phone and is axe clean.
    _visit(page, f"{live_server.url}/desk/month/{ada.pk}/?date={DAY}")
    _visit(page, f"{live_server.url}/desk/patients/?q=doe")
    page.keyboard.press("/")
    expect(page.get_by_label("Find a patient")).to_be_focused()
    _visit(page, f"{live_server.url}/messages/")
    _visit(page, f"{live_server.url}/desk/waitlist/")
    _visit(page, f"{live_server.url}/practice/series/{series.pk}/letter/")

    # The plain move page: "also move the later sessions" is the desk's choice, and their new
    # dates are shown before anything moves.
    first = series.appointments.get(series_step=1)
    _visit(page, f"{live_server.url}/desk/appointments/{first.pk}/move/")
    shift = page.get_by_label("Also move the later sessions to keep the spacing")
    expect(shift).not_to_be_checked()
    shift.check()
    page.get_by_label("Date").fill((DAY + dt.timedelta(days=2)).isoformat())
    page.get_by_label("Time").fill("10:00")
    page.get_by_role("button", name="Move", exact=True).click()
    plan = page.locator("#move-plan")
    expect(plan).to_contain_text("Session 2: Wed 9 Jun 2027, 09:00 → Thu 10 Jun 2027, 10:00")
    _fits_the_width(page)
    assert_accessible(page)
    assert Appointment.objects.get(pk=clinic["second"].pk).start == at(DAY + dt.timedelta(days=29), 9)
    page.get_by_role("button", name="Move these sessions").click()
    expect(page.get_by_text("Moved 2 appointments.")).to_be_visible()

    # The portal's self-move offers every free time of each allowed day.
    token = issue_link(jane, now=NOW, days=30)
    second = clinic["second"]
    _visit(page, f"{live_server.url}/portal/{token}/sessions/{second.pk}/move/")
    day = page.locator("details.slot-day").first
    expect(day.locator("input[name=start]")).not_to_have_count(1)
    context.close()


def test_a_booking_dialog_raises_no_content_security_policy_error(login, desk_user, live_server, clinic):
    """htmx is told not to inject its indicator style (base.html's htmx-config), which the CSP
    would refuse on every dialog; its rules are in prolo.css instead (item 17)."""
    refused: list[str] = []
    page = login(desk_user.username, PASSWORD)
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size(SIZES["desk"])
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    click_slot(page, f'.cal-col[data-practitioner="{clinic["ada"].pk}"]', 11, 0)
    expect(page.get_by_role("dialog").get_by_role("heading")).to_have_text(
        "Book Tuesday 11 May at 11:00 with Dr Ada Stone"
    )
    page.get_by_label("Find the patient").fill("doe")
    expect(page.get_by_role("dialog").get_by_role("button", name="Book Jane Doe")).to_be_visible()
    assert refused == []


def test_on_a_phone_a_booking_late_in_the_day_keeps_the_message_and_the_card_in_view(browser, live_server, clinic):
    """On a phone the page scrolls, not the grid's box: after booking at 15:30 the page shows the
    new card with the "is booked" message pinned above it (item 12)."""
    ada, jane = clinic["ada"], clinic["jane"]
    context = browser.new_context(bypass_csp=True, viewport=SIZES["phone"])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(ada.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    free = page.locator(f'.cal-col[data-practitioner="{ada.pk}"] .cal-open').last
    free.focus()
    for _ in range(10):  # from 13:00 (the clock's now) by quarters
        free.press("ArrowDown")
    expect(free).to_have_attribute("aria-label", re.compile(r"Enter books at 15:30"))
    free.press("Enter")
    page.get_by_label("Find the patient").fill("doe")
    page.get_by_role("dialog").get_by_label("Type for Jane Doe").select_option(label="Follow-up")
    page.get_by_role("dialog").get_by_role("button", name="Book Jane Doe").click()

    expect(page).to_have_url(re.compile(r"booked=\d+#appt-"))
    booked = Appointment.objects.get(patient=jane, start=at(DAY, 15, 30))
    expect(page.locator(f"#appt-{booked.pk}")).to_be_in_viewport()
    page.wait_for_timeout(300)  # the page places the card again once it has loaded
    expect(page.locator(f"#appt-{booked.pk}")).to_be_in_viewport()
    expect(page.get_by_text("Jane Doe is booked at 15:30.")).to_be_in_viewport()
    context.close()


def test_a_compact_half_hour_card_with_badges_shows_its_time_name_type_and_flags(login, live_server, clinic):
    """At 1366x768 a half-hour card carrying badges (here "Confirmed") keeps its time, the whole
    name and the type's line in view: the badges take what room is left and no height (item 13)."""
    amelia = Appointment.objects.get(patient__first_name="Amelia")
    Appointment.objects.filter(pk=amelia.pk).update(patient_confirmed_at=NOW)
    page = login(clinic["ada"].user.username, PASSWORD)
    page.set_viewport_size(SIZES["desk"])
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    card = page.locator(f"#appt-{amelia.pk}")
    expect(card.locator(".cal-confirmed")).to_be_visible()
    shown = card.evaluate(
        """card => {
            const box = card.getBoundingClientRect();
            const inside = el => { const r = el.getBoundingClientRect();
                return r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5 && r.width > 0; };
            const name = card.querySelector('.cal-name');
            return {
                time: inside(card.querySelector('.cal-time')),
                name: inside(name.querySelector('a')) && name.scrollWidth <= name.clientWidth,
                type: inside(card.querySelector('.cal-meta')),
            };
        }"""
    )
    assert shown == {"time": True, "name": True, "type": True}
