"""In Chromium: a practitioner attaches an imaging report and downloads it; writes a letter from
the series summary that prints on the letterhead without the form."""

import pytest
import time_machine
from playwright.sync_api import expect

from tests.factories import PASSWORD, PatientFactory, PractitionerFactory
from tests.seeds import reseed
from tests.treatments.factories_practice import NOW, series_with_sessions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def clock(settings, tmp_path):
    reseed()
    settings.ATTACHMENTS_DIR = str(tmp_path / "attachments")
    with time_machine.travel(NOW, tick=True):
        yield


def test_attach_a_report_then_print_a_letter_on_letterhead(login, page, live_server, practitioner_user):
    me = PractitionerFactory(user=practitioner_user, display_name="Dr Maya Patel")
    series = series_with_sessions(practitioner=me, pains=[8, 5], planned=3, patient=PatientFactory(first_name="Ada"))
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    login(practitioner_user.username, PASSWORD)

    page.goto(f"{live_server.url}/practice/series/{series.pk}/")
    page.get_by_role("link", name="Attachments").click()
    page.get_by_label("What it is").select_option("imaging")
    page.get_by_label("File (PDF, JPEG or PNG)").set_input_files(
        {"name": "../../mri knee.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_text("is attached.")).to_be_visible()
    link = page.locator(".attachment-table a").first
    expect(link).to_have_text("mri knee.pdf")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "mri knee.pdf"

    page.goto(f"{live_server.url}/practice/series/{series.pk}/summary/")
    page.get_by_role("link", name="Write a letter to the referring doctor").click()
    page.get_by_label("To (the referring doctor)").fill("Dr Jones")
    page.get_by_label("Opening (yours to edit)").fill("Thank you for sending Ada to us.")
    page.get_by_role("button", name="Update the letter").click()
    expect(page.get_by_text("Dear Dr Jones,")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator(".letter-form")).to_be_hidden()
    expect(page.locator(".letterhead")).to_be_visible()
    expect(page.locator(".letter-page")).to_contain_text("Thank you for sending Ada to us.")
    expect(page.locator(".letter-page")).to_contain_text("2 of 3 planned sessions given")
    page.screenshot(path="/tmp/clinb_letter_print.png", full_page=True)
    assert console_errors == []
