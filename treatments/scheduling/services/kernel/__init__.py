"""The booking kernel: what every booking write shares, public and taken once per operation. The
desk (services/booking.py, booking_changes.py, booking_cancel.py), the patient portal, online
booking (treatments/booking/services/) and the waitlist claim all write through these:

- `BookingError`, `SlotTaken`: the refusals, their `message` shown to the user as is.
- `booking_transaction()`: the transaction that turns a lost race into SlotTaken (by the refused
  constraint's name), any other database refusal into BookingError.
- `lock_practitioner(practitioner)`: the practitioner's row lock that serialises booking writes;
  refuses to run outside `transaction.atomic`, and is taken once per booking transaction however
  many checks ask for it.
- `check_slot(**slot)`: the one-slot check (time zone, past, room, the practitioner's availability),
  under the practitioner's lock; `slot_problem(...)` is the same check read without the lock, for
  a preview or an offer (the calendar's move dialog, the waitlist) that must say what the write
  would say.
- `slot_args_for(appointment, start, ...)`: what the check asks of an appointment moved to `start`
  (its patient, its practitioner or the one it goes to, its place or the new one, its room).
- `history_entry(...)`: the AppointmentChange row every write keeps, one per change; `Actor`,
  `author(by)`: who makes a change (a staff user, or None for the patient or the system).

Two files, entered in that order by a write, each imported by its own path (one path per name):
`kernel.slots` (the transaction, the lock, the check) and `kernel.history` (who changed what:
the history rows, written after the checks and the planning).

No double booking, ever: on PostgreSQL the exclusion constraints turn a lost race into
IntegrityError -> SlotTaken with nothing saved; on SQLite `transaction_mode=IMMEDIATE` serialises
writers, so the check made inside the transaction is authoritative.
"""
