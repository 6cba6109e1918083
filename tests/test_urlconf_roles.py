"""Deny by default: walk the whole URLconf and prove that every URL which is not explicitly public
sends an anonymous visitor to a login page and refuses a signed-in account without a role.

Nothing here names the other areas' URLs: new URLs are picked up as they are added. The one list
to edit is PUBLIC, so that opening a page to the world is a conscious act reviewed in a diff."""

import pytest
from django.urls import resolve

from tests.urlconf_walk import all_urls, get_or_post, matches

# URL names (fnmatch patterns) that anyone may open without signing in.
PUBLIC = [
    "home",
    "healthz",
    # The site's icon, which browsers ask for at the root of a page that names none (the admin's).
    "favicon",
    "login",
    "education:*",
    "portal:*",
    "portal_short",
    # The patient's money page and papers: by their secret portal link (treatments.portal.access).
    "billing:portal_*",
    # The SMS provider's webhook: every call carries an HMAC signature made with the auth token.
    "sms_inbound",
    "consult:*",
    "book:*",
    "notifications:unsubscribe*",
    # The practitioner's calendar feed: secret, revocable token in the URL (desk:feed_* pages stay staff).
    "desk:practitioner_feed",
    # The patient's bills and "Pay now" by the portal's secret link, like the portal's own pages.
    "billing:portal_*",
    # Stripe's webhook: every event must carry a valid Stripe-Signature (HMAC with the webhook secret).
    "billing:stripe_webhook",
]
# Account doors that are neither public pages nor staff pages.
ACCOUNT = ["logout", "admin:login", "admin:logout"]
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")


URLS, UNBUILDABLE = all_urls()
STAFF_URLS = [u for u in URLS if not matches(u.name, PUBLIC + ACCOUNT)]


def test_the_walk_finds_the_known_staff_pages():
    names = {u.name for u in STAFF_URLS}
    assert {"desk:calendar", "practice:today", "password_change", "admin:index"} <= names
    assert UNBUILDABLE == [], "give these URLs converters the walk can fill, or teach _dummy about them"


def test_every_view_marked_public_is_on_the_public_list():
    marked = {u.name for u in URLS if getattr(resolve(u.path).func, "prolo_public", False)}
    unlisted = sorted(n for n in marked if not matches(n, PUBLIC))
    assert unlisted == [], "a public view must be added to PUBLIC in this test on purpose"


@pytest.mark.django_db
@pytest.mark.parametrize("url", STAFF_URLS, ids=lambda u: u.name)
def test_anonymous_visitor_is_sent_to_a_login_page(client, url):
    response = get_or_post(client, url.path)
    assert response.status_code == 302, f"{url.path} answered {response.status_code} to an anonymous visitor"
    assert response["Location"].startswith(LOGIN_PAGES)


@pytest.mark.django_db
@pytest.mark.parametrize("url", STAFF_URLS, ids=lambda u: u.name)
def test_signed_in_account_without_a_role_is_refused(client, no_role_user, url):
    client.force_login(no_role_user)
    response = get_or_post(client, url.path)
    if url.name.startswith("admin:"):
        # The admin sends anyone who is not staff back to its own login page.
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code in (403, 404), f"{url.path} answered {response.status_code} without a role"


PUBLIC_URLS = [u for u in URLS if matches(u.name, PUBLIC + ACCOUNT) and u.name != "healthz"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_URLS, ids=lambda u: u.name)
def test_public_pages_answer_junk_in_their_urls_without_a_server_error(client, url):
    # Dummy ids and tokens ("1", "x") must give a page, a redirect or a 404, never a crash.
    assert get_or_post(client, url.path).status_code < 500
