"""The week of every practitioner at scale: the busy day's week (10 practitioners, 200,000
appointments in the database), its selector and its page, with the query count and the page's
weight. Uses the volume bench_calendar creates.

Run alone: `BENCH_SCALE=large BENCH_ONLY=team_week python -m bench`."""

import datetime as dt

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from bench.bench_calendar import busy_day_and_search
from bench.core import Context, Result, benchmark, time_per_op


@benchmark
def team_week_at_scale(ctx: Context) -> list[Result]:
    from django.utils import timezone

    from treatments.scheduling.selectors.calendar_team import team_week_calendar

    busy_day, _query = busy_day_and_search()
    monday = busy_day - dt.timedelta(days=busy_day.weekday())
    now = timezone.now()
    week = team_week_calendar(first_day=monday, now=now)
    with CaptureQueriesContext(connection) as selector_queries:
        team_week_calendar(first_day=monday, now=now)
    note = f"{week.appointment_count} on the week; {len(selector_queries)} queries; {connection.vendor}"
    selector = time_per_op(lambda: team_week_calendar(first_day=monday, now=now), repeat=10)
    client = ctx.client("desk")
    url = f"/desk/week/?date={busy_day.isoformat()}"
    reset_queries()  # the query log holds at most 9,000: a full one would count nothing
    with CaptureQueriesContext(connection) as captured:
        weight = len(client.get(url).content)
    shown = client.get(url).content.decode().count('class="cal-appt ')
    page_note = (
        f"{week.appointment_count} on the week, {shown} cards built with the page (the other days when seen); "
        f"{len(captured)} queries; {weight / 1024:.0f} KB; {connection.vendor}"
    )
    page = time_per_op(lambda: client.get(url), repeat=10)
    results = [
        Result("calendar: week of everyone selector, whole busy week", selector, 10, note=note),
        Result("calendar: week of everyone page, busy week", page, 10, kind="page", note=page_note),
    ]
    html = client.get(url).content.decode()
    if "cal-team-later" in html:  # the days beyond the first screen, each loaded when seen
        later = html.rsplit('class="cal-team-day cal-team-later"', 1)[1]
        source = later.split('hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            day_weight = len(client.get(source).content)
        day_note = f"{len(captured)} queries; {day_weight / 1024:.0f} KB; {connection.vendor}"
        day = time_per_op(lambda: client.get(source), repeat=10)
        results.append(Result("calendar: week of everyone, a later day loaded", day, 10, kind="page", note=day_note))
    return results
