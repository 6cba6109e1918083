"""Form fields the public and patient-facing forms share, so every one says the same thing in the
same plain words."""

from django import forms
from django.utils.translation import gettext_lazy as _

TOO_LONG = _("Please use at most %(limit_value)d characters.")


def text_field(*, label, max_length: int, required: bool = False, rows: int | None = None, **kwargs) -> forms.CharField:
    """A text box (a text area of `rows` lines when given) that refuses more than `max_length`
    characters with a plain message. Optional unless `required`."""
    error_messages = {"max_length": TOO_LONG, **kwargs.pop("error_messages", {})}
    if rows:
        kwargs["widget"] = forms.Textarea(attrs={"rows": rows})
    return forms.CharField(
        label=label, required=required, max_length=max_length, error_messages=error_messages, **kwargs
    )
