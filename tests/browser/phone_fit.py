"""What keeps a page from fitting a phone (issue 19, item 14): not shown, wider than the screen
(the page scrolls sideways), or a serious or critical axe finding."""

from tests.browser.axe_portal import axe_violations


def phone_problems(page, url: str, *, staff: bool = False) -> list[str]:
    """The problems of `url` as the page now shows it; `staff`: a bounce to the sign-in form counts
    as not shown."""
    response = page.goto(url)
    found = []
    if response is None or response.status != 200 or (staff and "/accounts/login/" in page.url):
        found.append(f"not shown: {response.status if response else None} {page.url}")
    wide = page.evaluate("() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")
    if wide > 0:
        found.append(f"{wide}px too wide")
    found += [f"{v['id']} {[n['target'] for n in v['nodes']][:3]}" for v in axe_violations(page)]
    return found
