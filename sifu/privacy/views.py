"""Office page of the unmasked-view log: who saw whose personal information, filterable and
exportable, for subdistrict admins (``Perm.PRIVACY_LOG_VIEW``) within their scope (selectors)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from sifu.core.permissions import Perm
from sifu.core.views import office_view, query_without
from sifu.privacy import selectors
from sifu.privacy.exports import SensitiveViewExporter
from sifu.privacy.forms import SensitiveViewFilterForm


def _filtered(request: HttpRequest) -> tuple[SensitiveViewFilterForm, dict[str, Any], Any]:
    form = SensitiveViewFilterForm(request.GET or None)
    filters = form.filters
    return form, filters, selectors.sensitive_views_for_user(request.user, **filters)


@office_view(Perm.PRIVACY_LOG_VIEW)
def sensitive_view_list(request: HttpRequest) -> HttpResponse:
    """Queries: session, user, the user's grants, the count, the page's rows (viewer and person joined)."""
    form, filters, views = _filtered(request)
    page = Paginator(views, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        "page_query": query_without(request, "page"),
        "export_query": query_without(request, "page"),
    }
    return render(request, "privacy/sensitive_view_list.html", context)


@office_view(Perm.PRIVACY_LOG_VIEW)
def sensitive_view_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as .xlsx (names and fields only: the log holds no phone or ID number)."""
    _form, _filters, views = _filtered(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return SensitiveViewExporter(views).response(f"unmasked-views-{stamp}.xlsx")


urls = [
    path("office/privacy/views/", sensitive_view_list, name="view-list"),
    path("office/privacy/views/export/", sensitive_view_export, name="view-export"),
]
