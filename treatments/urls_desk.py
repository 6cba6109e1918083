from . import urls_desk_calendar, urls_desk_series

app_name = "desk"
# Two modules so the calendar and the series pages grow without stepping on each other.
urlpatterns = urls_desk_calendar.urlpatterns + urls_desk_series.urlpatterns
