import pytest


@pytest.fixture
def login(page, live_server):
    """Log a user in through the real form and return the page."""

    def _login(username: str, password: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        return page

    return _login


@pytest.fixture
def axe_login(page, live_server):
    """`login`, with axe under the CSP on the sign-in form and on the page it lands on: for the
    journeys that check every page they visit (issue 19's "Done when")."""
    from tests.browser.truth_axe import assert_accessible_under_csp

    def _login(username: str, password: str):
        page.goto(f"{live_server.url}/accounts/login/")
        assert_accessible_under_csp(page)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        assert_accessible_under_csp(page)
        return page

    return _login
