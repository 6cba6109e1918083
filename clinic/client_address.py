"""The client's address: the one answer that django-axes, every rate limit and the audit log use.

Behind a proxy, REMOTE_ADDR is the proxy. `X-Forwarded-For` is believed only as far as proxies we
trust wrote it: the request must come from an address in `TRUSTED_PROXIES`, and the header is read
from the right (the entry our own proxy appended) leftwards, skipping further trusted proxies, up to
the first address that is not one of them. Anything to the left of that was written by the client
and is ignored, so a spoofed header changes nothing; from an untrusted peer the header is ignored
entirely. Without `TRUSTED_PROXIES` the answer is REMOTE_ADDR, as on a machine with no proxy."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """Addresses or CIDR blocks ("10.0.0.5", "172.28.0.0/24"); a typo raises ValueError."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def peer_is_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the peer that sent this request (REMOTE_ADDR) is one of TRUSTED_PROXIES."""
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    return peer is not None and _is_trusted(peer, trusted_networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    peer = _address(remote or "")
    if peer is None or not _is_trusted(peer, networks):
        return remote
    client = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # not written by a proxy of ours: stop at the last address we can vouch for
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


def client_network(request: HttpRequest | None) -> str | None:
    """The client as the guessing limits count it (sign-in lockouts, feed-token misses): an IPv6
    address as the first address of its /64 (one household or one host's whole allocation, so
    hopping through its addresses gains nothing), anything else as `client_ip` gives it."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return address


# The longest username the user table holds: a longer one names nobody.
USERNAME_MAX = 150


def client_username(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """The username django-axes counts a failed sign-in under (AXES_USERNAME_CALLABLE): as typed,
    cut to what a user can be called. Axes stores it in a 255-character column, so a longer one
    (a script's junk) was a server error on PostgreSQL instead of a wrong-password answer."""
    if credentials is not None:
        username = credentials.get("username")
    else:
        username = request.POST.get("username") if request is not None else None
    return None if username is None else str(username)[:USERNAME_MAX]
