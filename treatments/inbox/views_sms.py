"""POST /sms/inbound/: Twilio delivers patients' replies here. Public (Twilio has no account), so
every request proves itself with X-Twilio-Signature before anything is read or stored: a bad
signature is a 403, an oversized body or a missing field is a 400 saying which, and in each case
nothing is written. A text from a number no patient has goes to the desk's requests. The same text
delivered again (Twilio retries; a replayed call) is answered 200 and acted on once. The reply's
words never reach a log."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from clinic.roles import public
from notifications.sms import twilio_signature_valid
from treatments.inbox.replies import MAX_REPLY, sms_patients, sms_reply_receive

# Twilio's form carries some twenty short fields besides the text: 8 KB is generous.
MAX_REQUEST_BYTES = 8 * 1024
MAX_SID, MAX_TOKEN = 64, 200  # the columns that keep them (notifications.InboundSms)
MAX_PHONE = 20  # ConsultationRequest.phone, where a text from an unknown number is kept
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
TEXT = "text/plain; charset=utf-8"


def _refused(why: str) -> HttpResponse:
    """A 400 that says what is wrong (Twilio's debugger shows it); never the reply's words."""
    return HttpResponseBadRequest(why, content_type=TEXT)


@public
@csrf_exempt  # Twilio cannot hold a CSRF token; the HMAC signature stands in for it.
@never_cache
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return _refused(_("The request's length is not a number."))
    if length > MAX_REQUEST_BYTES or len(request.body) > MAX_REQUEST_BYTES:
        return _refused(_("The request is larger than an inbound text can be (8 KB)."))
    params = {name: request.POST.get(name, "") for name in request.POST}
    # Twilio signs the address it was given, which is the public one, not what a proxy forwards.
    url = settings.SITE_URL + request.get_full_path()
    if not twilio_signature_valid(url=url, params=params, signature=request.headers.get("X-Twilio-Signature", "")):
        return HttpResponseForbidden(_("The X-Twilio-Signature does not match this request."), content_type=TEXT)
    phone, body, sid = params.get("From", ""), params.get("Body", ""), params.get("MessageSid", "")
    token = request.headers.get("I-Twilio-Idempotency-Token", "")
    if not phone:
        return _refused(_("From is missing: whose text this is."))
    if not body.strip() or len(body) > MAX_REPLY:
        return _refused(_("Body is empty or longer than %(n)d characters.") % {"n": MAX_REPLY})
    if not sid or len(sid) > MAX_SID:
        return _refused(_("MessageSid is missing or longer than %(n)d characters.") % {"n": MAX_SID})
    if len(token) > MAX_TOKEN:
        return _refused(_("I-Twilio-Idempotency-Token is longer than %(n)d characters.") % {"n": MAX_TOKEN})
    if len(phone) > MAX_PHONE:
        return _refused(_("From is longer than a phone number can be."))
    # A number no patient has (a new phone, a relative) still reaches the desk: sms_reply_receive.
    sms_reply_receive(
        phone=phone,
        patients=sms_patients(phone=phone),
        body=body,
        message_sid=sid,
        idempotency_token=token,
        now=timezone.now(),
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
