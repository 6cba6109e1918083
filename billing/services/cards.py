"""A card on file for the clinic's late-cancel policy (issue 23, item 4): saved by the patient on the
gateway's setup page after reading the policy (its words, version and the time of agreement kept),
and charged by the desk only when a person chooses to, for a missed visit's fee."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from billing.gateway import GatewayError, HostedCheckout, HostedPage, card_gateway
from billing.models import CancellationPolicy, Charge, CheckoutAttempt, Invoice, MissedVisit, PaymentMethod, SavedCard
from billing.money import currency, format_money
from clinic.localtime import day_text, local_date

from ._common import BillingError
from .checkout import receipt_email
from .missed import missed_visit_decide
from .online import hosted_page
from .payments import AllocationRequest, payment_take


def late_cancel_policy_text() -> str:
    """The clinic's late-cancel policy in the patient's words, from its cancellation policies."""
    lines = []
    for policy in CancellationPolicy.objects.select_related("appointment_type").order_by("appointment_type__name"):
        if policy.charge == Charge.NONE:
            continue
        fee = (
            format_money(policy.amount)
            if policy.charge == Charge.FIXED
            else _("%(pc)s%% of the visit's fee") % {"pc": f"{policy.percent_bp / 100:g}"}
        )
        lines.append(
            _("%(type)s: cancelling less than %(hours)d hours before, or not coming, may cost %(fee)s.")
            % {"type": policy.appointment_type.name, "hours": policy.window_hours, "fee": fee}
        )
    if not lines:
        return ""
    lines.append(
        _(
            "The clinic decides each time whether to charge; nothing is charged without a person choosing, "
            "and you get a receipt."
        )
    )
    return "\n".join(lines)


def policy_version(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def card_setup_begin(
    *,
    patient_id: int,
    location_id: int,
    key: uuid.UUID,
    agreed: bool,
    version: str,
    success_url: str,
    cancel_url: str,
    now: dt.datetime,
) -> CheckoutAttempt:
    """The gateway's page to save a card, once the patient ticked that they read the policy whose
    version the page showed (a policy changed meanwhile must be read again)."""
    gateway = card_gateway()
    if gateway is None:
        raise BillingError(_("Saving a card online is not available. Please call the clinic."))
    text = late_cancel_policy_text()
    if not text:
        raise BillingError(_("The clinic has no late-cancel fee: there is no card to save."))
    if not agreed:
        raise BillingError(_("Please tick that you have read the policy before saving a card."))
    if version != policy_version(text):
        raise BillingError(_("The policy has changed since the page was shown. Please read it again."))
    existing = CheckoutAttempt.objects.filter(key=key, patient_id=patient_id).first()
    if existing is not None and existing.checkout_url:
        return existing
    attempt = CheckoutAttempt.objects.create(
        key=key,
        purpose=CheckoutAttempt.Purpose.CARD,
        patient_id=patient_id,
        location_id=location_id,
        amount=0,
        currency=currency(),
        description=_("A card for the late-cancel policy"),
        policy_text=text,
        policy_version=version,
        created_at=now,
    )

    def make(page: HostedPage) -> HostedCheckout:
        return gateway.create_card_setup(page=page)

    return hosted_page(attempt, make=make, success_url=success_url, cancel_url=cancel_url, now=now)


def card_saved(*, attempt: CheckoutAttempt, hosted: HostedCheckout, now: dt.datetime) -> SavedCard | None:
    """The setup page completed at the gateway: keep the card's ids with the policy agreed to."""
    if not (hosted.status == "complete" and hosted.saved_card):
        return None
    with transaction.atomic():
        locked = CheckoutAttempt.objects.select_for_update().get(pk=attempt.pk)
        existing = SavedCard.every.filter(attempt=locked).first()  # removed since: not saved again
        if existing is not None:
            return existing
        locked.settled_at = now
        locked.save(update_fields=["settled_at"])
        return SavedCard.objects.create(
            patient_id=locked.patient_id,
            customer=hosted.customer,
            card=hosted.saved_card,
            policy_text=locked.policy_text,
            policy_version=locked.policy_version,
            agreed_at=locked.created_at,
            attempt=locked,
            created_at=now,
        )


def card_setup_settle(*, attempt: CheckoutAttempt, now: dt.datetime) -> SavedCard | None:
    """Stripe's webhook says a card-setup page completed: the event names only its SetupIntent, so
    the gateway is asked for the card, then it is kept once (`card_saved`: the patient's return
    racing the webhook make one SavedCard). Raises GatewayError when the gateway cannot be asked
    (the webhook answers an error and Stripe sends the event again)."""
    gateway = card_gateway()
    if gateway is None or not attempt.checkout_id:
        return None
    hosted = gateway.retrieve_checkout(checkout_id=attempt.checkout_id)
    return card_saved(attempt=attempt, hosted=hosted, now=now)


def late_cancel_fee_for(appointment_type_id: int) -> bool:
    """Whether a late cancellation or no-show of this type may cost a fee (a card is worth saving)."""
    return (
        CancellationPolicy.objects.filter(appointment_type_id=appointment_type_id).exclude(charge=Charge.NONE).exists()
    )


def card_remove(*, patient_id: int, card_id: int, now: dt.datetime) -> SavedCard:
    """The patient removes a saved card: it is detached at the gateway first (a card already
    detached is fine), then marked removed, so the desk can no longer charge a fee to it. The
    gateway failing: BillingError, the card stays saved. Pressing twice removes it once."""
    gateway = card_gateway()
    with transaction.atomic():
        card = SavedCard.every.select_for_update().filter(pk=card_id, patient_id=patient_id).first()
        if card is None:
            raise BillingError(_("That card is not yours."))
        if card.removed_at is not None:
            return card
        if gateway is None:
            raise BillingError(_("Cards cannot be removed online just now. Please call the clinic."))
        try:
            gateway.detach_card(card=card.card)
        except GatewayError as exc:
            raise BillingError(
                _("%(why)s Your card was not removed. Please try again in a minute.") % {"why": exc}
            ) from None
        card.removed_at = now
        card.save(update_fields=["removed_at"])
    return card


def missed_visit_charge_card(
    *, missed_id: int, attempt_key: uuid.UUID, by: User | None, now: dt.datetime, ip: str | None = None
) -> Invoice:
    """The desk chose "charge the card on file" for a late cancellation or no-show: the fee is
    invoiced (as "charge the fee" does, and it stays owed whatever the card says), then the card
    is charged off-session for what the fee invoice owes. Paid: recorded with its receipt. Declined
    or unreachable: BillingError for the desk; the fee stays owed."""
    missed = MissedVisit.objects.select_related("appointment").filter(pk=missed_id).first()
    if missed is None:
        raise BillingError(_("That missed visit does not exist."))
    card = SavedCard.objects.filter(patient_id=missed.appointment.patient_id).first()
    gateway = card_gateway()
    if card is None or gateway is None:
        removed = SavedCard.every.filter(patient_id=missed.appointment.patient_id).first()
        if removed is not None and removed.removed_at is not None:
            raise BillingError(
                _(
                    "The patient removed their card on file on %(day)s: it cannot be charged. "
                    "The fee can be charged as an invoice instead."
                )
                % {"day": day_text(local_date(removed.removed_at))}
            )
        raise BillingError(_("This patient has no card on file."))
    if missed.decision == MissedVisit.Decision.PENDING:
        missed = missed_visit_decide(missed_id=missed.pk, decision=MissedVisit.Decision.FEE, by=by, now=now, ip=ip)
    invoice = Invoice.objects.get(pk=missed.invoice_id) if missed.invoice_id else None
    if invoice is None or invoice.status != Invoice.Status.ISSUED or invoice.balance <= 0:
        raise BillingError(_("The fee has nothing left to pay."))
    try:
        charge = gateway.charge_saved_card(
            customer=card.customer,
            card=card.card,
            amount=invoice.balance,
            currency=currency(),
            description=_("Late-cancel or no-show fee, %(n)s") % {"n": invoice.display_number},
            attempt_key=attempt_key,
        )
    except GatewayError as exc:
        raise BillingError(
            _("The card could not be charged: %(why)s The fee stays owed on %(n)s.")
            % {"why": exc, "n": invoice.display_number}
        ) from None
    if not charge.paid:
        raise BillingError(
            _("The card was declined (%(why)s). The fee stays owed on %(n)s.")
            % {"why": charge.decline, "n": invoice.display_number}
        )
    result = payment_take(
        patient_id=invoice.patient_id,
        location_id=invoice.location_id,
        method=PaymentMethod.CARD_ONLINE,
        amount=invoice.balance,
        allocations=[AllocationRequest(invoice_id=invoice.pk, amount=invoice.balance)],
        attempt_key=attempt_key,
        reference=charge.reference,
        note=_("card on file"),
        by=by,
        now=now,
        ip=ip,
    )
    receipt_email(payment_id=result.payment.pk, attempt_key=attempt_key, by=by, now=now, ip=ip)
    invoice.refresh_from_db()
    return invoice
