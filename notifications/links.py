"""Links inside a message: the patient's one live portal link (looked up or issued at send time, so
an old message never carries a link made before it was due), its short form for texts, and the
signed unsubscribe link."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from patients.tokens import portal_short_url, portal_url

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def portal_links(raw: str, appointment_id: int | None) -> dict[str, str]:
    """The portal pages a message may point at (the URL contract of the portal)."""
    home = portal_url(raw)
    links = {
        "short_url": portal_short_url(raw),
        "portal_url": home,
        "checkin_url": f"{home}checkin/",
        "aftercare_url": f"{home}aftercare/",
    }
    if appointment_id:
        session = f"{home}sessions/{appointment_id}/"
        links |= {
            "confirm_url": f"{session}confirm/",
            "cancel_url": f"{session}cancel/",
            "before_url": f"{session}before/",
        }
    return links


def unsubscribe_token(*, patient_id: int, channel: str) -> str:
    return signing.dumps({"p": patient_id, "c": channel}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """(patient id, channel) for a genuine token, None for anything else."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(value["p"]), str(value["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_url(*, patient_id: int, channel: str) -> str:
    token = unsubscribe_token(patient_id=patient_id, channel=channel)
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token])
