"""The walk over the whole URLconf that the deny-by-default test (tests/test_urlconf_roles.py) and
the no-store test (tests/test_no_store.py) share: every named URL, built with dummy values for its
path converters ("1", "x", a UUID), or with real ones where a test gives them."""

import uuid
from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.exceptions import NoReverseMatch
from django.urls.resolvers import RoutePattern


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


def _build(name: str, converters: dict, given: dict) -> str | None:
    if not converters:
        return reverse(name)
    attempts = [{}]
    for key, converter in converters.items():
        if key in given:
            values = [given[key]]
        elif converter is not None:
            values = [_dummy(converter)]
        else:
            values = _regex_value(key)
        attempts = [{**a, key: v} for a in attempts for v in values]
    for kwargs in attempts:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def all_urls(given: dict | None = None) -> tuple[list[Url], list[str]]:
    """Every named URL of the site, and the names the walk could not build. `given` maps a URL
    keyword (e.g. "token") to the real value to use wherever a URL takes it."""
    urls, unbuildable = [], []
    for name, converters in _walk(get_resolver().url_patterns):
        if name is None:
            continue  # unnamed patterns cannot be reversed; the admin's catch-all is the only one
        path = _build(name, converters, given or {})
        if path is None:
            unbuildable.append(name)
        else:
            urls.append(Url(name, path))
    return urls, unbuildable


def url_for(name: str, given: dict) -> str | None:
    """One named URL with these values for its keywords (dummy ones for the rest), or None."""
    converters = dict(_walk(get_resolver().url_patterns)).get(name)
    return None if converters is None else _build(name, converters, given)


def matches(name: str, patterns: list[str]) -> bool:
    return any(fnmatchcase(name, p) for p in patterns)


def get_or_post(client, path: str):
    response = client.get(path)
    if response.status_code == 405:  # a write-only view: ask the way a form would
        response = client.post(path, {})
    return response
