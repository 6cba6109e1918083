"""The treatments app's tables, one app label, in modules by topic (as pretix's base/models/ does):

- series.py        Protocol (a condition's series template), Side, TreatmentSeries
- appointments.py  Appointment, AppointmentChange (the history of a booking and its series)
- waitlist.py      WaitlistEntry, WaitlistOffer
- records.py       SessionRecord, InjectionSite, AdverseEvent, RecordAmendment, Attachment, SeriesRequest
- outcomes.py      OutcomeScore, PainCheckIn, RedFlag (the warning signs a check-in may carry)
- online.py        OnlineBooking (a slot held while a patient proves a contact)

Every model is re-exported here: import them as `from treatments.models import Appointment`.
"""

from .appointments import Appointment, AppointmentChange
from .online import OnlineBooking
from .outcomes import OutcomeScore, PainCheckIn, RedFlag
from .records import AdverseEvent, Attachment, InjectionSite, RecordAmendment, SeriesRequest, SessionRecord
from .series import Protocol, Side, TreatmentSeries
from .waitlist import WaitlistEntry, WaitlistOffer

__all__ = [
    "AdverseEvent",
    "Appointment",
    "AppointmentChange",
    "Attachment",
    "InjectionSite",
    "OnlineBooking",
    "OutcomeScore",
    "PainCheckIn",
    "Protocol",
    "RecordAmendment",
    "RedFlag",
    "SeriesRequest",
    "SessionRecord",
    "Side",
    "TreatmentSeries",
    "WaitlistEntry",
    "WaitlistOffer",
]
