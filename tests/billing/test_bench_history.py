"""The money report's benchmark reads 1× at 1×: a bench database seeded for 10× by an earlier run
had its 1× rows measured over the 10× history (docs/benchmarks.md showed the same 30,653 invoices
in both), so the history beyond 1× is removed first, with its lines, allocations and payments."""

import pytest

from bench.bench_billing import FIRST_NUMBER, _ensure_history
from billing.models import Allocation, Invoice, InvoiceLine, Payment
from tests.factories import LocationFactory, PatientFactory, PractitionerFactory

pytestmark = pytest.mark.django_db


def test_the_history_is_grown_to_10x_and_brought_back_to_1x():
    LocationFactory()
    PractitionerFactory()
    PatientFactory.create_batch(3)
    history = Invoice.objects.filter(number__gte=FIRST_NUMBER)
    _ensure_history(40)
    assert history.count() == InvoiceLine.objects.count() == 40
    _ensure_history(4)
    assert history.count() == InvoiceLine.objects.count() == 4
    assert sorted(history.values_list("number", flat=True)) == [FIRST_NUMBER + n for n in range(4)]
    assert (
        Payment.objects.count() == Allocation.objects.count() == Allocation.objects.filter(invoice__in=history).count()
    )
    _ensure_history(40)
    assert history.count() == 40
