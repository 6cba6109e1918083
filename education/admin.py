from django.contrib import admin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.admin_base import ReadOnlyAdmin
from clinic.models import ClinicSettings

from .models import Page, PageRevision
from .rendering import page_context, render_markdown
from .services import page_save


class PageRevisionInline(admin.TabularInline):
    """The change history: read-only, newest first."""

    model = PageRevision
    extra = 0
    can_delete = False
    fields = readonly_fields = ("saved_at", "saved_by", "status", "title", "reviewed_by", "reviewed_on")
    verbose_name_plural = _("History of changes")
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "condition", "status", "reviewed_on", "reviewed_by", "order", "updated_at"]
    list_filter = ["status", "kind", "condition"]
    search_fields = ["title", "summary", "body", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["preview_link", "rendered_preview"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "kind", "condition", "order", "status"]}),
        (_("Review"), {"fields": ["reviewed_by", "reviewed_on"]}),
        (_("Text"), {"fields": ["body", "preview_link", "rendered_preview"]}),
    ]
    inlines = [PageRevisionInline]

    def get_urls(self):
        own = [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="education_page_preview",
            ),
        ]
        return own + super().get_urls()

    def preview_view(self, request, pk: int):
        """The saved page (draft or not) in the public layout, for staff only."""
        page = get_object_or_404(Page, pk=pk)
        if not self.has_view_permission(request, page):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return render(request, "education/page.html", {**page_context(page), "preview": True})

    @admin.display(description=_("Preview"))
    def preview_link(self, obj: Page) -> str:
        if obj.pk is None:
            return _("Save the page once to preview it.")
        url = reverse("admin:education_page_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Open the preview"))

    @admin.display(description=_("As patients will see it (last saved text)"))
    def rendered_preview(self, obj: Page) -> str:
        if obj.pk is None:
            return "-"
        return format_html(
            '<div class="page-preview">{}</div>', render_markdown(obj.body, clinic=ClinicSettings.load())
        )

    def save_model(self, request, obj: Page, form, change: bool) -> None:
        page_save(page=obj, by=request.user, now=timezone.now())

    def _preview_redirect(self, request, obj: Page):
        if "_preview" in request.POST:
            return HttpResponseRedirect(reverse("admin:education_page_preview", args=[obj.pk]))
        return None

    def response_add(self, request, obj: Page, post_url_continue=None):
        return self._preview_redirect(request, obj) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj: Page):
        return self._preview_redirect(request, obj) or super().response_change(request, obj)


@admin.register(PageRevision)
class PageRevisionAdmin(ReadOnlyAdmin):
    list_display = ["page", "saved_at", "saved_by", "status"]
    list_filter = ["page"]
    readonly_fields = [
        "page",
        "title",
        "summary",
        "body",
        "status",
        "reviewed_by",
        "reviewed_on",
        "saved_at",
        "saved_by",
    ]
