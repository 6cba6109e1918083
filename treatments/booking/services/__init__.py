"""Writes for online booking: hold a slot and send a code (holds.py); check the code and book, or
hold the slot while a deposit is paid (confirm.py); or, when the clinic takes new patients by
request only, file a consultation request (holds.py).

The booking itself is the desk's (`appointment_book`): the same checks, history and messages. The
hold is written under the same practitioner lock the desk's checks take (the booking kernel,
treatments/scheduling/services/kernel.py), so a hold and a desk booking can never both win one
slot; see OnlineBooking's docstring.
"""
