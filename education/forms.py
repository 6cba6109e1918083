from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import text_field

from .selectors import SEARCH_MAX_LENGTH


class SearchForm(forms.Form):
    q = text_field(
        label=_("Search the pages"),
        max_length=SEARCH_MAX_LENGTH,
        required=True,
        error_messages={"required": _("Type a word to search for.")},
        widget=forms.TextInput(attrs={"type": "search"}),
    )
