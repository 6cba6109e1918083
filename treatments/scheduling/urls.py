"""The desk's pages under /desk/: the calendar, series and appointments, the waitlist and feeds."""

from django.urls import path

from treatments.scheduling.views import (
    appointments,
    calendar,
    calendar_booking,
    calendar_team,
    feeds,
    series,
    waitlist,
)

app_name = "desk"
urlpatterns = [
    path("", calendar.calendar, name="calendar"),
    path("calendar/types.css", calendar.type_colours, name="calendar_types_css"),
    path("calendar/version/", calendar.version, name="calendar_version"),
    path("week/", calendar_team.team_week, name="calendar_team_week"),
    path("week/version/", calendar_team.team_week_version, name="calendar_team_week_version"),
    path("week/day/", calendar_team.team_week_day, name="calendar_team_day"),
    path("week/<int:pk>/", calendar.week, name="calendar_week"),
    path("month/<int:pk>/", calendar.month, name="calendar_month"),
    path("next-slot/", calendar.next_slot, name="next_slot"),
    path("slot/", calendar_booking.slot, name="calendar_slot"),
    path("slot/book/", calendar_booking.slot_book, name="calendar_book"),
    path("appointments/<int:pk>/move-on-calendar/", calendar_booking.move, name="calendar_move"),
    path("appointments/<int:pk>/check-in/", calendar.check_in, name="appointment_check_in"),
    path("appointments/<int:pk>/no-show/", calendar.no_show, name="appointment_no_show"),
    path("appointments/<int:pk>/calendar.ics", feeds.appointment_ics, name="appointment_ics"),
    path("feeds/<str:token>.ics", feeds.practitioner_feed, name="practitioner_feed"),
    path("feed/", feeds.feed_manage, name="feed_manage"),
    path("waitlist/", waitlist.index, name="waitlist"),
    path("waitlist/new/", waitlist.add, name="waitlist_add"),
    path("waitlist/<int:pk>/resolve/", waitlist.resolve, name="waitlist_resolve"),
    path("waitlist/slot/<int:pk>/", waitlist.freed_slot, name="waitlist_slot"),
    path("patients/<int:pk>/", series.patient_detail, name="patient"),
    path("series/new/", series.series_new, name="series_new"),
    path("series/<int:pk>/", series.series_detail, name="series"),
    path("series/<int:pk>/add/", series.series_add, name="series_add"),
    path("series/<int:pk>/discontinue/", series.series_stop, name="series_discontinue"),
    path("appointments/new/", appointments.appointment_new, name="book_appointment"),
    path("appointments/<int:pk>/move/", appointments.appointment_reschedule, name="appointment_move"),
    path("appointments/<int:pk>/cancel/", appointments.appointment_call_off, name="appointment_cancel"),
]
