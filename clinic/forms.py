"""Form fields the public and patient-facing forms share, so every one says the same thing in the
same plain words."""

import unicodedata

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


def name_clean(value: str) -> str:
    """A person's name as typed, without invisible formatting characters (Unicode category Cf:
    the bidi overrides, embeddings and isolates, left/right marks, zero-width space, joiners and
    byte-order marks, soft hyphens), which can make a name read backwards or look like another on
    the desk's screens, in exports and in messages. Letters of every script and their diacritics are
    kept; the result is NFC-normalised and trimmed."""
    kept = "".join(ch for ch in unicodedata.normalize("NFC", value) if unicodedata.category(ch) != "Cf")
    return " ".join(kept.split())


class NameField(forms.CharField):
    """A name box: `name_clean` on what is typed; a name of nothing but invisible characters is
    refused as empty when the field is required."""

    def to_python(self, value: object) -> str:
        return name_clean(super().to_python(value) or "")
