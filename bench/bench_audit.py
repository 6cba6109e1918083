"""The audit log at a million entries (issue 21): the admin's list, filtered, and drilled down by
date, beside the floor. Missing entries are added once in one INSERT ... SELECT (a million at
large scale, 20,000 at small), spread over four years; the figures hold whatever the seed.

Run alone: `BENCH_SCALE=large BENCH_ONLY=audit python -m bench`."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.core import Context, Result, benchmark, time_per_op

ENTRIES = {"large": 1_000_000, "small": 20_000}
KINDS = ["patients.patient", "portal.home", "treatments.attachment", "notifications.log", "report", "patients.consent"]
REPEAT = 20


def _ensure_entries(target: int) -> int:
    from clinic.models import AuditEntry

    have = AuditEntry.objects.count()
    missing = target - have
    if missing > 0:
        table = AuditEntry._meta.db_table
        kinds = " ".join(f"WHEN {n} THEN '{kind}'" for n, kind in enumerate(KINDS))
        if connection.vendor == "postgresql":
            numbers, moment = "generate_series(1, %s) AS n", "now() - n * interval '2 minutes'"
            source = f"SELECT n FROM {numbers}"
        else:
            source = "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s) SELECT n FROM s"
            moment = "datetime('now', '-' || (n * 2) || ' minutes')"
        sql = (
            f"INSERT INTO {table} (at, user_id, patient_id, action, object_type, object_id, ip, via) "
            f"SELECT {moment}, NULL, n %% 50000, CASE n %% 5 WHEN 0 THEN 'change' ELSE 'view' END, "
            f"CASE n %% {len(KINDS)} {kinds} END, CAST(n AS varchar(40)), NULL, "
            f"CASE WHEN n %% 10 = 0 THEN 'portal' WHEN n %% 97 = 0 THEN 'system' ELSE 'staff' END "
            f"FROM ({source}) AS numbers"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [missing])
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {table}")
    return AuditEntry.objects.count()


@benchmark
def audit_log_at_scale(ctx: Context) -> list[Result]:
    from clinic.models import AuditEntry

    total = _ensure_entries(ENTRIES.get(ctx.scale, ENTRIES["small"]))
    newest = AuditEntry.objects.order_by("-at").values_list("at", flat=True).first()
    assert newest is not None  # entries were just ensured
    client = ctx.client("admin")
    base = "/admin/clinic/auditentry/"
    pages = [
        ("admin audit log list", ""),
        ("admin audit log, page 50", "?p=50"),
        ("admin audit log filtered by object type", "?object_type=report"),
        ("admin audit log filtered by action and via", "?action=change&via=portal"),
        ("admin audit log, a year", f"?at__year={newest.year}"),
        ("admin audit log, a month", f"?at__year={newest.year}&at__month={newest.month}"),
        # The search: an object id (each seeded entry's own), a patient's id (some 20 entries each
        # at large scale), the admin's username (the entries its own visits made).
        ("admin audit log searched by an object id", "?q=123457"),
        ("admin audit log searched by a patient id", "?q=4321"),
        ("admin audit log searched by a username", "?q=admin"),
    ]
    results = []
    for name, query in pages:
        url = base + query
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        note = f"{total:,} entries; {len(captured)} queries; {len(response.content) / 1024:.0f} KB; {connection.vendor}"

        def get(u: str = url) -> object:
            return client.get(u)

        seconds = time_per_op(get, repeat=REPEAT)
        results.append(Result(f"{name} (admin)", seconds, REPEAT, kind="page", note=note))
    return results
