"""The money report and the invoices on a phone (390x844): eleven columns under a two-row header used to scroll
sideways inside their box with a gap under the header; on a phone each row is a block of labelled
lines ("Invoiced  $150.00"), the page does not scroll sideways and axe finds no serious problem.
At desk width the same report is a table with its header."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from clinic.models import Location
from tests.billing.test_reports import invoice
from tests.browser.axe_portal import axe_violations
from tests.factories import PASSWORD, PatientFactory, PractitionerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PERIOD = "?first=2026-06-01&last=2026-06-30"


@pytest.fixture
def ada_invoiced(practitioner_user):
    location = Location.objects.create(name="Main Street")
    ada = PractitionerFactory(user=practitioner_user, display_name="Dr Ada Stone")
    invoice(patient=PatientFactory(), location=location, practitioner=ada, amount=15000, on=dt.date(2026, 6, 20))
    return ada


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True}  # axe is injected into the page


@pytest.fixture
def open_as_ada(login, live_server, practitioner_user, ada_invoiced):
    """A page as Dr Stone sees it at a width, signed in through the form (tests/browser/conftest.py)."""

    def open_page(path: str, *, width: int, height: int):
        page = login(practitioner_user.username, PASSWORD)
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_url(f"{live_server.url}/**")
        page.goto(f"{live_server.url}{path}")
        return page

    return open_page


def test_the_report_stacks_its_rows_on_a_phone(open_as_ada):
    page = open_as_ada(f"/billing/reports/{PERIOD}", width=390, height=844)
    row = page.locator("#billing-report tbody tr").filter(has_text="Dr Ada Stone")
    expect(row).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    table = page.locator("#billing-report")
    assert table.evaluate("t => t.scrollWidth - t.clientWidth") <= 0  # nothing scrolls inside the box either
    invoiced = row.locator("td[data-label='Invoiced']")
    label = invoiced.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Invoiced"'
    expect(invoiced).to_contain_text("150.00")
    # label and amount on one line, the row's cells one under the other
    cells = row.locator("td").all()
    tops = [cell.bounding_box()["y"] for cell in cells]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)
    assert axe_violations(page) == []


def test_at_desk_width_it_is_a_table_with_its_header(open_as_ada):
    page = open_as_ada(f"/billing/reports/{PERIOD}", width=1366, height=768)
    expect(page.get_by_role("columnheader", name="Invoiced")).to_be_visible()
    row = page.locator("#billing-report tbody tr").filter(has_text="Dr Ada Stone")
    label = row.locator("td[data-label='Invoiced']").evaluate("td => getComputedStyle(td, '::before').content")
    assert label in ("none", "normal")  # no labels beside the cells: the header names the columns
    tops = {round(cell.bounding_box()["y"]) for cell in row.locator("td").all()}
    assert len(tops) == 1  # one line


def test_the_invoices_list_stacks_too(open_as_ada):
    page = open_as_ada("/billing/", width=390, height=844)
    table = page.locator("#invoices")
    expect(table.get_by_role("link", name="INV-")).to_be_visible()
    assert table.evaluate("t => t.scrollWidth - t.clientWidth") <= 0
    balance = table.locator("td[data-label='Balance']").first
    assert balance.evaluate("td => getComputedStyle(td, '::before').content") == '"Balance"'
    expect(balance).to_contain_text("150.00")
