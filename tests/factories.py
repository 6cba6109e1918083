"""factory_boy factories shared by the whole suite. Area-specific ones live beside their tests."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic.models import AppointmentType, Location, Practitioner, Room, WorkingHours
from patients.models import Patient
from treatments.models import Appointment, Protocol, SessionRecord, TreatmentSeries

PASSWORD = "prolo-test-pass"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Location {n}")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Dr Practitioner {n}")


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    practitioner = factory.SubFactory(PractitionerFactory)
    location = factory.SubFactory(LocationFactory)
    weekday = 1
    start = dt.time(8, 0)
    end = dt.time(17, 0)


def appointment_type(slug: str = "injection") -> AppointmentType:
    """The types are seeded by a migration."""
    return AppointmentType.objects.get(slug=slug)


def protocol(name: str = "Knee OA — Rabago 2013") -> Protocol:
    """The protocols are seeded by a migration."""
    return Protocol.objects.get(name=name)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)
    phone = factory.Sequence(lambda n: f"+1312555{n % 10000:04d}")
    email = factory.LazyAttribute(lambda p: f"{p.first_name}.{p.last_name}@example.com".lower())
    email_consent_at = factory.LazyFunction(timezone.now)
    sms_consent_at = factory.LazyFunction(timezone.now)


class TreatmentSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentSeries

    patient = factory.SubFactory(PatientFactory)
    protocol = factory.LazyFunction(protocol)
    practitioner = factory.SubFactory(PractitionerFactory)
    location = factory.SubFactory(LocationFactory)
    side = "right"
    planned_sessions = factory.LazyAttribute(lambda s: s.protocol.required_sessions)
    created_at = factory.LazyFunction(timezone.now)


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    practitioner = factory.SubFactory(PractitionerFactory)
    location = factory.SubFactory(LocationFactory)
    appointment_type = factory.LazyFunction(appointment_type)
    start = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    end = factory.LazyAttribute(lambda a: a.start + dt.timedelta(minutes=a.appointment_type.duration_minutes))
    created_at = factory.LazyFunction(timezone.now)


class SessionRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionRecord

    appointment = factory.SubFactory(AppointmentFactory)
    created_at = factory.LazyFunction(timezone.now)
    pain_before = 6


def login_with_second_factor(client, user):
    """Sign `user` in as someone who has entered their two-factor code (the clinic admin must have,
    before any staff page): an authenticator device, and a session that django-otp marks verified."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # One app per account (clinic migration 0006_races): a second sign-in reuses it.
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Test phone", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


__all__ = ["PASSWORD", "Decimal"]
