"""{% package_cover appointment.pk as cover %}: what the series' package says about a visit, on its
check-out page (billing.selectors.packages.package_cover)."""

from django import template

from billing.selectors.packages import PackageCover, package_cover

register = template.Library()


@register.simple_tag
def package_cover_for(appointment_id: int) -> PackageCover | None:
    return package_cover(appointment_id)
