from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from clinic.middleware import may_cache
from clinic.roles import public

from .forms import SearchForm
from .models import Page
from .rendering import page_context
from .selectors import page_published, pages_by_kind, pages_search


@may_cache
@public
def index(request: HttpRequest) -> HttpResponse:
    grouped = pages_by_kind()
    return render(
        request,
        "education/index.html",
        {
            "topics": grouped[Page.Kind.TOPIC],
            "conditions": grouped[Page.Kind.CONDITION],
            "aftercare_pages": grouped[Page.Kind.AFTERCARE],
            "search_form": SearchForm(),
        },
    )


@may_cache
@public
def page(request: HttpRequest, slug: str) -> HttpResponse:
    found = page_published(slug=slug)
    if found is None:
        raise Http404
    return render(request, "education/page.html", page_context(found))


@may_cache
@public
def page_print(request: HttpRequest, slug: str) -> HttpResponse:
    """The one-page aftercare sheet: red flags and the phone number first."""
    found = page_published(slug=slug)
    if found is None or found.kind != Page.Kind.AFTERCARE:
        raise Http404
    return render(request, "education/print_sheet.html", page_context(found))


@may_cache
@public
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results: list[Page] | None = None
    if form.is_bound and form.is_valid():
        results = pages_search(query=form.cleaned_data["q"])
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "education/search.html",
        {"search_form": form, "results": results, "title": _("Search")},
        status=status,
    )
