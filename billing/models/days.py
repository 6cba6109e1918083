"""The day's close per location: what the ledger says was taken, by method, against what the desk
counted. A closed (location, business date) takes no more postings: later ones go to the next
open business date (billing.services.days.business_date_for)."""

from django.conf import settings
from django.db import models

from clinic.models import Location

from .payments import PaymentMethod


class DayClose(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="day_closes")
    business_date = models.DateField()
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["-business_date", "location"]
        constraints = [
            models.UniqueConstraint(fields=["location", "business_date"], name="day_close_one_per_location_date"),
        ]

    def __str__(self) -> str:
        return f"{self.location} {self.business_date}"


class DayCloseLine(models.Model):
    """One method's figures in a close: expected = payments − refunds in the ledger. Both may be
    negative: a day on which the card terminal refunded more than it took."""

    day_close = models.ForeignKey(DayClose, on_delete=models.CASCADE, related_name="lines")
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    expected = models.BigIntegerField()
    counted = models.BigIntegerField()

    class Meta:
        ordering = ["day_close", "method"]
        constraints = [
            models.UniqueConstraint(fields=["day_close", "method"], name="day_close_line_one_per_method"),
        ]

    def __str__(self) -> str:
        return f"{self.method}: {self.counted} counted, {self.expected} expected"

    @property
    def variance(self) -> int:
        return self.counted - self.expected
