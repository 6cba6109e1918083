from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Page(models.Model):
    """A public education page. The body is Markdown, turned into sanitised HTML on display."""

    class Kind(models.TextChoices):
        TOPIC = "topic", _("General topic")
        CONDITION = "condition", _("Condition")
        AFTERCARE = "aftercare", _("Aftercare guide")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(
        _("body"),
        max_length=40000,
        help_text=_(
            "Markdown. Scripts, frames and unsafe links are removed when shown. "
            "[[clinic_phone]], [[nsaid_days_before]] and [[nsaid_days_after]] are replaced by the clinic's settings."
        ),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TOPIC)
    # The condition slug the protocols use (knee-oa, low-back ...), so pages and protocols meet.
    condition = models.SlugField(_("condition"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    reviewed_by = models.CharField(_("reviewed by"), max_length=120, blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("education page")
        verbose_name_plural = _("education pages")
        indexes = [models.Index(fields=["status", "kind", "order"], name="page_status_kind_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(reviewed_by="") & Q(reviewed_on__isnull=False),
                name="page_published_is_reviewed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class PageRevision(models.Model):
    """A copy of a page as it was saved: the history of changes an editor can look back on."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Page.Status.choices)
    reviewed_by = models.CharField(max_length=120, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-saved_at", "-id"]
        verbose_name = _("page revision")
        verbose_name_plural = _("page revisions")

    def __str__(self) -> str:
        return f"{self.title} @ {self.saved_at:%Y-%m-%d %H:%M}"
