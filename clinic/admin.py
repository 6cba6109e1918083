from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from .admin_base import ReadOnlyAdmin
from .admin_forms import (
    AppointmentTypeForm,
    ClosureForm,
    IdsMultipleChoiceField,
    PractitionerForm,
    StandaloneWorkingHoursForm,
    WorkingHoursForm,
    WorkingHoursInlineFormSet,
)
from .admin_paging import CappedCountPaginator, DistinctFromIndex, page_asked
from .admin_rows import audit_rows
from .compiled_sql import CompiledRead
from .feed_tokens import feed_url, practitioner_feed_token_issue, practitioner_feed_token_revoke
from .models import AppointmentType, AuditEntry, ClinicSettings, Closure, Location, Practitioner, Room, WorkingHours


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return not ClinicSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "phone", "active"]
    inlines = [RoomInline]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    form = WorkingHoursForm
    formset = WorkingHoursInlineFormSet
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    form = PractitionerForm
    list_display = ["display_name", "title", "user", "active", "has_feed"]
    inlines = [WorkingHoursInline]
    actions = ["issue_feed", "revoke_feed"]

    @admin.display(boolean=True, description=_("calendar feed"))
    def has_feed(self, obj: Practitioner) -> bool:
        return bool(obj.feed_token_hash)

    @admin.action(description=_("Create a new calendar feed link (the old one stops working)"))
    def issue_feed(self, request, queryset):
        # The links are shown on this one page and never stored: only their hashes are.
        links = [(p, feed_url(practitioner_feed_token_issue(practitioner=p))) for p in queryset]
        context = {**self.admin_site.each_context(request), "links": links, "title": _("New calendar feed links")}
        return TemplateResponse(request, "admin/clinic/practitioner/feed_links.html", context)

    @admin.action(description=_("Revoke the calendar feed"))
    def revoke_feed(self, request, queryset):
        count = 0
        for practitioner in queryset:
            practitioner_feed_token_revoke(practitioner=practitioner)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d feed revoked.", "%(count)d feeds revoked.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    form = StandaloneWorkingHoursForm
    list_display = ["practitioner", "weekday", "start", "end", "location"]
    list_filter = ["practitioner", "location", "weekday"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    form = ClosureForm
    list_display = ["reason", "starts_at", "ends_at", "location", "practitioner"]
    list_filter = ["location", "practitioner"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # Never silent about bookings: the desk's setup page lists the ones this closure covers
        # and moves or cancels them (treatments/setup; clinic sits below treatments).
        messages.warning(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("Any bookings this closure covers are not moved or cancelled by saving it."),
                reverse("setup:closure", args=[obj.pk]),
                _("See the bookings it covers, to move or cancel them"),
            ),
        )


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    form = AppointmentTypeForm
    list_display = ["name", "duration_minutes", "buffer_minutes", "is_injection", "bookable_online", "active"]
    prepopulated_fields = {"slug": ["name"]}


class ObjectTypeFilter(DistinctFromIndex):
    title = _("object type")
    parameter_name = "object_type"


class ViaFilter(DistinctFromIndex):
    title = _("via")
    parameter_name = "via"


class _SiteForTheAuditList:
    """The admin site as the audit admin sees it: the same site, except that on the audit list
    (flagged on its request) the app list is empty. Django's each_context builds that list on every
    admin page (each registered model asked for the user's permissions, ~3 ms), for the sidebar of
    models the list does not show; every other page of the audit admin keeps it."""

    def __init__(self, site: admin.AdminSite) -> None:
        self._site = site

    def __getattr__(self, name: str):
        return getattr(self._site, name)

    def get_app_list(self, request, app_label=None):
        if getattr(request, "_audit_list_without_apps", False):
            return []
        return self._site.get_app_list(request, app_label)

    def each_context(self, request):
        # The site's own each_context, asking this object for the app list.
        return type(self._site).each_context(self, request)


# Whether the user holds the audit log's view or change permission, directly or through a group:
# one probe of the permission tables, where `user.has_perm` reads every permission of the user and
# of their groups (a clinic admin holds some hundreds; 2 ms a page of the log).
def _audit_permission(user: int):
    held = Q(pk__in=get_user_model().user_permissions.through.objects.filter(user_id=user).values("permission_id"))
    held |= Q(pk__in=Group.permissions.through.objects.filter(group__user=user).values("permission_id"))
    wanted = Permission.objects.filter(
        content_type__app_label="clinic", codename__in=["view_auditentry", "change_auditentry"]
    )
    return wanted.filter(held).values_list("pk")[:1]


_AUDIT_PERMISSION = CompiledRead(_audit_permission, user=-7001)


def may_read_audit_log(user) -> bool:
    """As `user.has_perm("clinic.view_auditentry") or user.has_perm("clinic.change_auditentry")`
    answers it (Django's model backend: an active user, a superuser holds every permission)."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    found = getattr(user, "_audit_log_readable", None)
    if found is None:
        found = user._audit_log_readable = bool(_AUDIT_PERMISSION.rows(user=user.pk))
    return found


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the trail can be searched, never edited."""

    list_display = ["at", "user", "action", "object_type", "object_id", "patient_id", "ip", "via"]
    list_filter = ["action", ObjectTypeFilter, ViaFilter]
    # Searched by exact values through indexes (get_search_results): a "contains" search read all
    # of a million entries (0.7 s).
    search_fields = ["object_id"]
    search_help_text = _("A username, an object's id or a patient's id, exactly as written.")
    date_hierarchy = "at"
    # At a million entries (clinic/admin_paging.py): no COUNT(*) of the whole table per page, a
    # count that stops at CAP, filters read from their indexes, the date hierarchy by index probes.
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50
    # The user may be empty (a task's entry, a deleted account): Django's own select_related()
    # skips a nullable key, which read each row's user in a query of its own.
    list_select_related = ["user"]

    def __init__(self, model, admin_site):
        super().__init__(model, _SiteForTheAuditList(admin_site))

    def has_view_permission(self, request, obj=None) -> bool:
        return may_read_audit_log(request.user)

    def changelist_view(self, request, extra_context=None):
        # The list takes the page's width (eight columns), without the admin's sidebar of models,
        # whose app list is then not built (_SiteForTheAuditList).
        request._audit_list_without_apps = True
        return super().changelist_view(request, {**(extra_context or {}), "is_nav_sidebar_enabled": False})

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # The count goes ten pages past the page asked for (clinic/admin_paging.py).
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, page=page_asked(request))

    def get_search_results(self, request, queryset, search_term):
        """The entries of the user with that username (any case), else of the object or the patient
        with that id: each read newest first through its index (user and date, object id and date;
        the patient's id), never by reading every entry."""
        term = search_term.strip()
        if not term:
            return queryset, False
        users = list(get_user_model().objects.filter(username__iexact=term).values_list("pk", flat=True)[:2])
        if users:
            return queryset.filter(user_id__in=users), False
        wanted = Q(object_id=term[:40])
        if term.isdigit() and len(term) < 19:  # a patient's id (a bigint)
            wanted |= Q(patient_id=int(term))
        return queryset.filter(wanted), False

    def get_changelist_instance(self, request):
        """The page's table (templates/admin/clinic/auditentry/change_list.html): Django's headers,
        and the rows built in clinic/admin_rows.py, each value shown as Django shows it."""
        changelist = super().get_changelist_instance(request)
        headers = list(admin_list.result_headers(changelist))
        rows = audit_rows(changelist.result_list, self.list_display, self.get_empty_value_display())
        changelist.table = {
            "result_headers": headers,
            "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
            "result_hidden_fields": [],
            "results": rows,
        }
        # The page's entries were read as values (audit_rows); Django's change list then only asks
        # how many there are (its selection note), so it is not read a second time as models.
        changelist.result_list = rows
        return changelist


# Django's own account screens, with the multiple choices (permissions, groups) refusing a forged
# out-of-range id with a message instead of a server error (clinic/admin_forms.py).
IDS_CHECKED: dict[type[models.Field], dict[str, Any]] = {models.ManyToManyField: {"form_class": IdsMultipleChoiceField}}


class AccountGroupAdmin(GroupAdmin):
    formfield_overrides = IDS_CHECKED


class AccountUserAdmin(UserAdmin):
    formfield_overrides = IDS_CHECKED


admin.site.unregister(Group)
admin.site.register(Group, AccountGroupAdmin)
admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AccountUserAdmin)
# The library defines its admin but leaves registering it to the project: the clinic admin removes
# a colleague's lost passkey here (view and delete only, clinic.roles), never sees its public key
# (OTP_ADMIN_HIDE_SENSITIVE_DATA) and never adds one.
admin.site.register(WebAuthnCredential, WebAuthnCredentialAdmin)
