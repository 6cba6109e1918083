"""An URL with an id in it, reversed once for a page that links to many ids (a busy day's cards,
a search's rows, the audit list): the two halves around the id, each row then joins them."""

from django.urls import reverse

_SENTINEL = 987654321  # an id no URL pattern holds otherwise


def url_halves(name: str) -> tuple[str, str]:
    """The URL of `name` before and after its one id argument."""
    before, after = reverse(name, args=[_SENTINEL]).split(str(_SENTINEL))
    return before, after
