"""Deny by default: walk the whole URLconf and prove that every URL which is not explicitly public
sends an anonymous visitor to a login page and refuses a signed-in account without a role.

Nothing here names the other areas' URLs: new URLs are picked up as they are added. The one list
to edit is PUBLIC, so that opening a page to the world is a conscious act reviewed in a diff."""

import uuid
from dataclasses import dataclass
from fnmatch import fnmatchcase

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.exceptions import NoReverseMatch
from django.urls.resolvers import RoutePattern

# URL names (fnmatch patterns) that anyone may open without signing in.
PUBLIC = [
    "home",
    "healthz",
    "login",
    "education:*",
    "portal:*",
    "portal_short",
    # The SMS provider's webhook: every call carries an HMAC signature made with the auth token.
    "sms_inbound",
    "consult:*",
    "notifications:unsubscribe*",
    # The practitioner's calendar feed: secret, revocable token in the URL (desk:feed_* pages stay staff).
    "desk:practitioner_feed",
]
# Account doors that are neither public pages nor staff pages.
ACCOUNT = ["logout", "admin:login", "admin:logout"]
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")


@dataclass
class Url:
    name: str
    path: str


def _dummy(converter) -> object:
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return "x"


def _walk(patterns, namespace: str = "", converters: dict | None = None):
    """Every leaf pattern with its namespaced name and the converters of its whole prefix."""
    converters = converters or {}
    for entry in patterns:
        here = dict(converters)
        if isinstance(entry.pattern, RoutePattern):
            here.update(entry.pattern.converters)
        else:
            here.update(dict.fromkeys(entry.pattern.regex.groupindex, None))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner, here)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None), here


def _regex_value(name: str) -> list[object]:
    # The admin's app index takes an app label from a fixed list; anything else gets 1 or "x".
    return ["clinic"] if name == "app_label" else [1, "x"]


def _build(name: str, converters: dict) -> str | None:
    if not converters:
        return reverse(name)
    attempts = [{}]
    for key, converter in converters.items():
        values = [_dummy(converter)] if converter is not None else _regex_value(key)
        attempts = [{**a, key: v} for a in attempts for v in values]
    for kwargs in attempts:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def all_urls() -> tuple[list[Url], list[str]]:
    urls, unbuildable = [], []
    for name, converters in _walk(get_resolver().url_patterns):
        if name is None:
            continue  # unnamed patterns cannot be reversed; the admin's catch-all is the only one
        path = _build(name, converters)
        if path is None:
            unbuildable.append(name)
        else:
            urls.append(Url(name, path))
    return urls, unbuildable


def _matches(name: str, patterns: list[str]) -> bool:
    return any(fnmatchcase(name, p) for p in patterns)


URLS, UNBUILDABLE = all_urls()
STAFF_URLS = [u for u in URLS if not _matches(u.name, PUBLIC + ACCOUNT)]


def _get_or_post(client, path: str):
    response = client.get(path)
    if response.status_code == 405:  # a write-only view: ask the way a form would
        response = client.post(path, {})
    return response


def test_the_walk_finds_the_known_staff_pages():
    names = {u.name for u in STAFF_URLS}
    assert {"desk:calendar", "practice:today", "password_change", "admin:index"} <= names
    assert UNBUILDABLE == [], "give these URLs converters the walk can fill, or teach _dummy about them"


def test_every_view_marked_public_is_on_the_public_list():
    marked = {u.name for u in URLS if getattr(resolve(u.path).func, "prolo_public", False)}
    unlisted = sorted(n for n in marked if not _matches(n, PUBLIC))
    assert unlisted == [], "a public view must be added to PUBLIC in this test on purpose"


@pytest.mark.django_db
@pytest.mark.parametrize("url", STAFF_URLS, ids=lambda u: u.name)
def test_anonymous_visitor_is_sent_to_a_login_page(client, url):
    response = _get_or_post(client, url.path)
    assert response.status_code == 302, f"{url.path} answered {response.status_code} to an anonymous visitor"
    assert response["Location"].startswith(LOGIN_PAGES)


@pytest.mark.django_db
@pytest.mark.parametrize("url", STAFF_URLS, ids=lambda u: u.name)
def test_signed_in_account_without_a_role_is_refused(client, no_role_user, url):
    client.force_login(no_role_user)
    response = _get_or_post(client, url.path)
    if url.name.startswith("admin:"):
        # The admin sends anyone who is not staff back to its own login page.
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code in (403, 404), f"{url.path} answered {response.status_code} without a role"


PUBLIC_URLS = [u for u in URLS if _matches(u.name, PUBLIC + ACCOUNT) and u.name != "healthz"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_URLS, ids=lambda u: u.name)
def test_public_pages_answer_junk_in_their_urls_without_a_server_error(client, url):
    # Dummy ids and tokens ("1", "x") must give a page, a redirect or a 404, never a crash.
    assert _get_or_post(client, url.path).status_code < 500
