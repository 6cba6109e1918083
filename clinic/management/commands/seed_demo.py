"""Demo data for `make run` and `make bench`.

Small scale (the default) is one clinic a person can click through: two locations, three
practitioners with their weekly hours (two of them on weekend mornings too), a clinic holiday, the
three staff logins, 40 patients and a few weeks of booked series, and their money (fees, packages
sold, payments, a refund and yesterday's close: _demo_billing). Large scale adds 50,000
patients and 200,000 appointments in bulk, for benchmarks.

Idempotent: the setup rows are looked up before they are created, and the patients and bookings of
each scale are made once (a second run only checks and returns, in well under a second).

This command sits at the top of the project, like the URLconf: it is the one place in clinic/ that
knows every app, because demo data spans all of them.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clinic import roles
from clinic.localtime import day_bounds, local_date
from clinic.models import AppointmentType, ClinicSettings, Closure, Location, Practitioner, Room, WorkingHours

from . import _demo_billing, _demo_large, _demo_small

DEMO_PASSWORD = "prolo-demo"  # demo only: printed by `make run`, never used outside demo data

# username, role, first, last, is_staff
STAFF = [
    ("frontdesk", roles.FRONT_DESK, "Dana", "Reyes", False),
    ("practitioner", roles.PRACTITIONER, "Maya", "Patel", False),
    ("admin", roles.CLINIC_ADMIN, "Sam", "Whitaker", True),
    ("okafor", roles.PRACTITIONER, "Chidi", "Okafor", False),
    ("lindqvist", roles.PRACTITIONER, "Ingrid", "Lindqvist", False),
]
LOCATIONS = [
    ("Downtown", "200 W Adams St, Chicago, IL 60606", "+1 312 555 0100", ["Room 1", "Room 2"]),
    ("Northside", "4100 N Broadway, Chicago, IL 60613", "+1 312 555 0140", ["Room A", "Room B"]),
]
# practitioner username, display name, title, colour, {weekday: location name}. Dr Patel and Dr
# Okafor also hold weekend mornings: the demo is open every day, so whatever day `make run` starts
# on, its first screen (the desk's today, Dr Patel's today) has bookings on it.
PRACTITIONERS = [
    ("practitioner", "Dr Maya Patel", "MD", "#0d6efd", dict.fromkeys(range(7), "Downtown")),
    ("okafor", "Dr Chidi Okafor", "DO", "#198754", dict.fromkeys(range(7), "Northside")),
    ("lindqvist", "Dr Ingrid Lindqvist", "ND", "#d63384", {0: "Downtown", 1: "Northside", 3: "Northside"}),
]
# Two blocks a weekday: the gap between them is the lunch break. One on weekend mornings.
DAY_BLOCKS = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 0), dt.time(17, 0))]
WEEKEND_BLOCKS = [(dt.time(9, 0), dt.time(13, 0))]
HOLIDAY_REASON = "Clinic holiday"


class Command(BaseCommand):
    help = "Load demo data (idempotent). --scale large adds 50,000 patients and 200,000 appointments."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", choices=["small", "large"], default="small")
        # `make run` migrates and seeds in one process: one Django start-up fewer on every run.
        parser.add_argument("--migrate", action="store_true", help="apply migrations first")
        # For tests of the bulk path: how many bench series (4 appointments each) to make.
        parser.add_argument("--large-series", type=int, default=_demo_large.SERIES, help="default: %(default)s")

    def handle(self, *args, scale: str, large_series: int, migrate: bool, **options) -> None:
        if migrate:
            call_command("migrate", interactive=False, verbosity=0)
        now = timezone.now()
        practitioners = seed_setup(now=now)
        made = _demo_small.seed_patients_and_series(practitioners=practitioners, now=now)
        if made:
            self.stdout.write(f"Demo clinic: {made} patients with series and consultations.")
        else:
            self.stdout.write("Demo clinic already seeded.")
        if _demo_billing.seed_billing(now=now):
            self.stdout.write("Demo billing: fees, packages sold, payments, a refund and yesterday's close.")
        if scale == "large":
            self.stdout.ending = ""  # the progress bar rewrites its own line
            _demo_large.seed_large(now=now, series_count=large_series, out=self.stdout)


def seed_setup(*, now: dt.datetime) -> list[Practitioner]:
    """Clinic settings, locations, rooms, staff, practitioners, hours and a holiday. Returns the
    three demo practitioners."""
    with transaction.atomic():
        ClinicSettings.objects.update_or_create(
            pk=1, defaults={"name": "Lakeside Prolotherapy Clinic", "phone": "+1 312 555 0100"}
        )
        # New patients can book a consultation themselves at /book/.
        AppointmentType.objects.filter(slug="consultation").update(bookable_online=True)
        locations = {}
        for name, address, phone, rooms in LOCATIONS:
            location, _ = Location.objects.get_or_create(name=name, defaults={"address": address, "phone": phone})
            locations[name] = location
            for room in rooms:
                Room.objects.get_or_create(location=location, name=room)
        users = {row[0]: _staff_user(*row) for row in STAFF}
        practitioners = []
        for username, display_name, title, colour, week in PRACTITIONERS:
            practitioner, created = Practitioner.objects.get_or_create(
                user=users[username], defaults={"display_name": display_name, "title": title, "colour": colour}
            )
            if created:
                WorkingHours.objects.bulk_create(
                    WorkingHours(practitioner=practitioner, location=locations[loc], weekday=day, start=start, end=end)
                    for day, loc in week.items()
                    for start, end in (DAY_BLOCKS if day < 5 else WEEKEND_BLOCKS)
                )
            practitioners.append(practitioner)
        if not Closure.objects.filter(reason=HOLIDAY_REASON, location=None, practitioner=None).exists():
            start, end = holiday_span(now=now)
            Closure.objects.create(reason=HOLIDAY_REASON, starts_at=start, ends_at=end)
    return practitioners


def holiday_span(*, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """A whole weekday about three weeks ahead, midnight to midnight in the clinic's zone."""
    day = local_date(now) + dt.timedelta(days=21)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day_bounds(day)


def _staff_user(username: str, role: str, first: str, last: str, is_staff: bool):
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@clinic.example", "is_staff": is_staff},
    )
    if created:
        # Hashing is slow on purpose (Argon2); done once, so a warm `make run` stays fast.
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
    return user
