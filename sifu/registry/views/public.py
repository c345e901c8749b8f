"""Public pages (no login): the directory of filed and registered organizations and their profiles.

Nothing personal is shown here: no names, phone numbers or ID numbers of people, only the
organization's own record and aggregate counts.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from sifu.core.contributions import public_sections
from sifu.core.views import query_without
from sifu.registry import selectors
from sifu.registry.forms import DirectoryFilterForm


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    filters = form.filters
    page = Paginator(selectors.public_directory(filters), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "page_query": query_without(request, "page"), "filtered": bool(filters)}
    return render(request, "registry/public/directory.html", context)


@require_GET
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(selectors.public_organizations(), pk=pk)
    # Sections the installed apps contribute to the profile (sifu.core.contributions).
    sections = public_sections("organization", request, org)
    return render(request, "registry/public/organization.html", {"organization": org, "sections": sections})


urls = [
    path("organizations/", directory, name="public-directory"),
    path("organizations/<int:pk>/", organization, name="public-organization"),
]
