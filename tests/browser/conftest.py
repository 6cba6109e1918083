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
