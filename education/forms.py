from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import SEARCH_MAX_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the pages"),
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        error_messages={
            "max_length": _("Please use at most %(limit_value)d characters."),
            "required": _("Type a word to search for."),
        },
        widget=forms.TextInput(attrs={"type": "search"}),
    )
