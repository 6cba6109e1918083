"""Pointing at wall-clock times on the desk calendar's grid (day, week and the week of every
practitioner share it): click an empty slot, drag a card; a seeded clinic and a clock on DAY."""

import datetime as dt

import pytest
import time_machine

from tests.seeds import reseed
from tests.treatments.factories_calendar import at

# A Tuesday later than the real clock, so the browser keeps the session cookie.
DAY = dt.date(2027, 5, 11)
NOW = at(DAY, 8, 0)


@pytest.fixture
def seeded(transactional_db):
    reseed()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def click_slot(page, column_selector: str, hh: int, mm: int):
    """Click the grid of a column at a wall-clock time (scrolling the calendar's own box first)."""
    cal = page.locator(".cal")
    first, rows = int(cal.get_attribute("data-first-minute")), int(cal.get_attribute("data-rows"))
    grid = page.locator(f"{column_selector} .cal-grid")
    offset = (hh * 60 + mm - first + 2) / 5
    page.locator(".cal-scroll").evaluate(
        "(el, offset) => { el.scrollTop = Math.max(0, offset * el.scrollHeight / el.scrollHeight * 12 - 150); }",
        offset,
    )
    box = grid.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + offset * box["height"] / rows)


def drag_card(page, card, column_selector: str, hh: int, mm: int):
    """Drag a card by its top edge so its new start lands at a wall-clock time in a column."""
    cal = page.locator(".cal")
    first, rows = int(cal.get_attribute("data-first-minute")), int(cal.get_attribute("data-rows"))
    grid = page.locator(f"{column_selector} .cal-grid")
    box = grid.bounding_box()
    y = (hh * 60 + mm - first) / 5 * box["height"] / rows
    card.drag_to(grid, source_position={"x": 4, "y": 2}, target_position={"x": box["width"] / 2, "y": y + 2})


def drag_card_in_view(page, card, column_selector: str, hh: int, mm: int):
    """Drag a card with the mouse so its new start lands at a wall-clock time in a column, first
    scrolling so the card and that time are both on screen: on a phone the day is taller than the
    screen and the columns wider (the page scrolls, the calendar's box sideways), and a pointer
    cannot leave the screen while it drags."""
    cal = page.locator(".cal")
    first, rows = int(cal.get_attribute("data-first-minute")), int(cal.get_attribute("data-rows"))
    grid = page.locator(f"{column_selector} .cal-grid")
    card.scroll_into_view_if_needed()

    def target_y() -> float:
        box = grid.bounding_box()
        return box["y"] + (hh * 60 + mm - first) / 5 * box["height"] / rows

    page.evaluate("(dy) => window.scrollBy(0, dy)", min(card.bounding_box()["y"], target_y()) - 100)
    start, box, y = card.bounding_box(), grid.bounding_box(), target_y()
    view = page.viewport_size
    x = max(box["x"], 0) + (min(box["x"] + box["width"], view["width"]) - max(box["x"], 0)) / 2
    assert 0 <= start["x"] + 6 < view["width"] and 0 < x < view["width"], "the card or the column is off screen"
    assert start["y"] >= 0 and y + 3 < view["height"], "the card and the time do not fit one screen"
    page.mouse.move(start["x"] + 6, start["y"] + 3)
    page.mouse.down()
    page.mouse.move(x, y + 3, steps=8)
    page.mouse.up()
