from datetime import time

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clinic.compiled_sql import CompiledRead
from clinic.indexed_dates import IndexedDatesMixin
from clinic.npi import validate_npi


class ClinicSettings(models.Model):
    """One row: the clinic's name, contact and the policies that vary between clinics."""

    class IcePolicy(models.TextChoices):
        AVOID = "avoid", _("Avoid ice; heat is fine")
        BRIEF = "brief", _("Short spells of ice are fine")

    class NewPatients(models.TextChoices):
        BOOK = "book", _("New patients book a time themselves")
        REQUEST = "request", _("New patients send a consultation request instead")

    name = models.CharField(max_length=120, default="Prolo Clinic")
    phone = models.CharField(max_length=40, default="+1 312 555 0100")
    email = models.EmailField(default="clinic@example.com")
    address = models.CharField(max_length=250, blank=True)
    # On the superbill and the Good Faith Estimate (billing.documents): the practice's group NPI
    # and tax id (US: the EIN/TIN). Empty = left off the document.
    group_npi = models.CharField(
        max_length=10, blank=True, validators=[validate_npi], verbose_name=_("group NPI (type 2)")
    )
    tax_id = models.CharField(max_length=20, blank=True, verbose_name=_("tax id (TIN/EIN)"))
    # Before a session: how many days without anti-inflammatories.
    nsaid_pause_days_before = models.PositiveSmallIntegerField(default=7)
    # After a session: how many days without anti-inflammatories (0 = whole course).
    nsaid_avoid_days_after = models.PositiveSmallIntegerField(default=7)
    ice_policy = models.CharField(max_length=10, choices=IcePolicy.choices, default=IcePolicy.AVOID)
    # Reminder offsets (hours before the session) and aftercare timing.
    prep_reminder_hours = models.PositiveSmallIntegerField(default=72)
    reminder_hours = models.PositiveSmallIntegerField(default=24)
    aftercare_local_time = models.TimeField(default=time(18, 0))
    checkin_day = models.PositiveSmallIntegerField(default=2)
    followup_day = models.PositiveSmallIntegerField(default=7)
    outcome_checkin_weeks = models.CharField(max_length=40, default="6,12")
    # SMS is never sent inside quiet hours; it is postponed to their end.
    sms_quiet_start = models.TimeField(default=time(21, 0))
    sms_quiet_end = models.TimeField(default=time(8, 0))
    max_send_attempts = models.PositiveSmallIntegerField(default=5)
    # Inside this many hours before a session, patients phone instead of cancelling online.
    cancellation_notice_hours = models.PositiveSmallIntegerField(default=24)
    portal_link_days = models.PositiveSmallIntegerField(default=120)
    # Online booking at /book/ (treatments/booking). Which types are open is AppointmentType.bookable_online.
    online_new_patients = models.CharField(
        max_length=8, choices=NewPatients.choices, default=NewPatients.BOOK, verbose_name=_("online: new patients")
    )
    online_min_notice_hours = models.PositiveSmallIntegerField(
        default=12, verbose_name=_("online: minimum notice (hours)")
    )
    online_max_days_ahead = models.PositiveSmallIntegerField(default=60, verbose_name=_("online: how far ahead (days)"))
    online_same_day = models.BooleanField(default=False, verbose_name=_("online: same-day booking allowed"))
    # A waitlist offer (a freed slot) can be claimed for this many hours, never after the slot starts.
    waitlist_offer_hours = models.PositiveSmallIntegerField(default=12)
    # Practitioners add and remove their own time off at /desk/setup/time-off/ (the clinic admin
    # always may, for anyone, at /desk/setup/).
    practitioners_own_time_off = models.BooleanField(
        default=False, verbose_name=_("practitioners may add their own time off")
    )
    # The portal's intake asks "Are you pregnant, or could you be?" (a yes, or "rather discuss it",
    # is the PREGNANCY screening flag).
    intake_asks_pregnancy = models.BooleanField(default=True, verbose_name=_("the intake asks about pregnancy"))

    class Meta:
        verbose_name = _("clinic settings")
        verbose_name_plural = _("clinic settings")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def load(cls) -> "ClinicSettings":
        """The one row, created with its defaults the first time. Every staff page's layout reads
        it: through a statement compiled once (clinic/compiled_sql.py)."""
        found = _SETTINGS.rows()
        if found:
            return cls.from_db("default", _SETTINGS_FIELDS, found[0])
        try:
            with transaction.atomic():
                return cls.objects.create(pk=1)
        except IntegrityError:  # made by another request since the read
            return cls.objects.get(pk=1)


_SETTINGS_FIELDS = [field.attname for field in ClinicSettings._meta.concrete_fields]
_SETTINGS = CompiledRead(lambda: ClinicSettings.objects.filter(pk=1).values_list(*_SETTINGS_FIELDS))


class Location(models.Model):
    name = models.CharField(max_length=120, unique=True)
    address = models.CharField(max_length=250, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=80)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location__name", "name"]
        constraints = [models.UniqueConstraint(fields=["location", "name"], name="room_unique_name_per_location")]

    def __str__(self) -> str:
        return f"{self.location} · {self.name}"


class Practitioner(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner")
    display_name = models.CharField(max_length=120)
    title = models.CharField(max_length=60, blank=True, help_text=_("e.g. MD, DO, ND"))
    colour = models.CharField(max_length=7, default="#0d6efd")
    active = models.BooleanField(default=True)
    # On the superbill and the Good Faith Estimate: the individual NPI (type 1) and the licence.
    npi = models.CharField(max_length=10, blank=True, validators=[validate_npi], verbose_name=_("NPI (individual)"))
    licence = models.CharField(max_length=40, blank=True, help_text=_("e.g. IL 036-123456"))
    # The secret calendar feed: only its SHA-256 is stored; revoking clears it.
    feed_token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class WorkingHours(models.Model):
    """One block of a practitioner's week at one location; several blocks a day make breaks."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="working_hours")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["practitioner", "weekday", "start"]
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="working_hours_end_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="working_hours_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} {self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class DatedHours(models.Model):
    """Working time on one date besides the week's (a Saturday worked once, a late Tuesday): it
    adds bookable time; a closure over it still wins."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="dated_hours")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="dated_hours")
    date = models.DateField()
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["date", "start"]
        verbose_name = _("extra hours on a date")
        verbose_name_plural = _("extra hours on dates")
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="dated_hours_end_after_start")]
        indexes = [models.Index(fields=["practitioner", "date"], name="dated_hours_practitioner_idx")]

    def __str__(self) -> str:
        return f"{self.practitioner} {self.date:%Y-%m-%d} {self.start:%H:%M}-{self.end:%H:%M}"


class Closure(models.Model):
    """Time nobody can be booked: a clinic holiday (no location, no practitioner), a location
    closed, or a practitioner's leave."""

    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="closures")
    practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.CASCADE, related_name="closures"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=120)

    class Meta:
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="closure_end_after_start")]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="closure_span_idx")]

    def __str__(self) -> str:
        return self.reason


class AppointmentType(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(unique=True)
    duration_minutes = models.PositiveSmallIntegerField()
    buffer_minutes = models.PositiveSmallIntegerField(default=0, help_text=_("Kept free after the appointment."))
    colour = models.CharField(max_length=7, default="#6c757d")
    is_injection = models.BooleanField(default=False, help_text=_("Sessions of a series use this type."))
    bookable_online = models.BooleanField(default=False, help_text=_("Patients may book this type at /book/."))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="appointment_type_duration_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class SetupStamp(models.Model):
    """One row whose token changes whenever the clinic's setup does (clinic_setup_changed, on
    every save or delete of its rows), so pages can keep what they build from the setup until it
    changes: one cheap query instead of reading every setup table on every request."""

    token = models.CharField(max_length=32, default="")

    def __str__(self) -> str:
        return self.token


class AuditQuerySet(IndexedDatesMixin, models.QuerySet):
    """Bulk update and delete would bypass the model's own guard: refuse them here too. Its
    `datetimes("at", ...)` (the admin's date hierarchy) probes the index on `at` per period
    instead of reading every entry (clinic/indexed_dates.py)."""

    def update(self, **kwargs):
        raise ValueError("Audit entries are append-only.")

    def delete(self):
        raise ValueError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """Append-only: who viewed or changed which patient's data. Never clinical text or secrets."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        DELETE = "delete", _("deleted")
        EXPORT = "export", _("exported")
        SIGN = "sign", _("signed")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # An id, not a foreign key: clinic sits below patients and must not import it, and the trail
    # outlives a deleted record.
    patient_id = models.BigIntegerField(null=True, db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    ip = models.GenericIPAddressField(null=True)
    via = models.CharField(max_length=20, default="staff", help_text=_("staff, portal or system"))

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = _("audit entries")
        # The admin's filters at a million entries: each filtered list is read newest first
        # through its own index, and the filters' values are read from the same indexes.
        indexes = [
            models.Index(fields=["action", "at"], name="audit_action_at_idx"),
            models.Index(fields=["object_type", "at"], name="audit_object_type_at_idx"),
            models.Index(fields=["via", "at"], name="audit_via_at_idx"),
            # The admin's search (an exact username, object id or patient id), newest first.
            models.Index(fields=["user", "at"], name="audit_user_at_idx"),
            models.Index(fields=["object_id", "at"], name="audit_object_id_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")
