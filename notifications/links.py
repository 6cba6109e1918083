"""Links inside a message: the patient's one live portal link (looked up or issued at send time, so
an old message never carries a link made before it was due), its short form for texts, and the
signed unsubscribe link."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from patients.tokens import portal_page_url, portal_short_url, portal_url

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def portal_links(raw: str, appointment_id: int | None, offer_id: int | None = None) -> dict[str, str]:
    """The portal pages a message may point at (the URL contract of the portal)."""
    links = {
        "short_url": portal_short_url(raw),
        "portal_url": portal_url(raw),
        "checkin_url": portal_page_url("checkin", raw),
        "aftercare_url": portal_page_url("aftercare", raw),
    }
    if appointment_id:
        links |= {
            "confirm_url": portal_page_url("session_confirm", raw, appointment_id),
            "cancel_url": portal_page_url("session_cancel", raw, appointment_id),
            "before_url": portal_page_url("session_before", raw, appointment_id),
        }
    if offer_id:
        # A waitlist offer's own page, where the time is taken (not the portal's home).
        links["offer_url"] = portal_page_url("offer", raw, offer_id)
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
