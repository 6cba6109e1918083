import datetime as dt

import pytest
from playwright.sync_api import expect

from notifications import delivery
from notifications.models import Message
from tests.factories import PASSWORD, PatientFactory
from tests.notifications.factories_messages import MessageFactory, series_with_sessions
from tests.seeds import reseed
from treatments.scheduling import messaging

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_desk_reads_the_message_log_and_resends_a_failed_message(login, desk_user, live_server):
    reseed()
    now = dt.datetime.now(dt.UTC)
    patient = PatientFactory(first_name="Maria", last_name="Lopez")
    series = series_with_sessions(starts=[now + dt.timedelta(days=9)], now=now, patient=patient)
    messaging.series_booked(series=series, now=now)
    delivery.messages_sweep(now=now)
    failed = MessageFactory(
        patient=patient,
        send_at=now - dt.timedelta(hours=1),
        status=Message.Status.FAILED,
        attempts=5,
        last_error="SmsError: provider answered 503",
    )

    page = login(desk_user.username, PASSWORD)
    page.get_by_role("link", name="Messages").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Message log")
    table = page.get_by_role("table")
    expect(table.get_by_role("row").filter(has_text="Series confirmation")).to_contain_text(patient.email)
    expect(table.get_by_role("row").filter(has_text="Series confirmation")).to_contain_text("Sent")

    page.get_by_label("Status").select_option("failed")
    page.get_by_role("button", name="Show").click()
    expect(table.get_by_role("row")).to_have_count(2)  # header + the failed one
    expect(table).to_contain_text("provider answered 503")

    table.get_by_role("link", name="Open").click()
    page.get_by_role("button", name="Send again").click()
    expect(page.get_by_role("status")).to_contain_text("queued again")
    failed.refresh_from_db()
    assert failed.status == Message.Status.PENDING

    page.get_by_role("link", name="All messages to Maria Lopez").click()
    page.get_by_role("row").filter(has_text="Series confirmation").get_by_role("link", name="Open").click()
    expect(page.get_by_label("Message text")).to_contain_text("Hello Maria")
