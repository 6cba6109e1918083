"""Signing a staff member in through the real form, as the journeys do between roles."""

from tests.factories import PASSWORD


def sign_in(page, live_server, user) -> None:
    """Sign `user` (a User, or a username) in on a browser that forgets any earlier session.
    Returns once the form is sent; the journey waits for the page it expects."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(getattr(user, "username", user))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
