from django.urls import path

from .views import desk, feeds, waitlist

urlpatterns = [
    path("", desk.calendar, name="calendar"),
    path("calendar/types.css", desk.type_colours, name="calendar_types_css"),
    path("week/<int:pk>/", desk.week, name="calendar_week"),
    path("next-slot/", desk.next_slot, name="next_slot"),
    path("appointments/<int:pk>/check-in/", desk.check_in, name="appointment_check_in"),
    path("appointments/<int:pk>/no-show/", desk.no_show, name="appointment_no_show"),
    path("appointments/<int:pk>/calendar.ics", feeds.appointment_ics, name="appointment_ics"),
    path("feeds/<str:token>.ics", feeds.practitioner_feed, name="practitioner_feed"),
    path("feed/", feeds.feed_manage, name="feed_manage"),
    path("waitlist/", waitlist.index, name="waitlist"),
    path("waitlist/new/", waitlist.add, name="waitlist_add"),
    path("waitlist/<int:pk>/resolve/", waitlist.resolve, name="waitlist_resolve"),
    path("waitlist/slot/<int:pk>/", waitlist.freed_slot, name="waitlist_slot"),
]
