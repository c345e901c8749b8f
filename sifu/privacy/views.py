"""Office page of the unmasked-view log: who saw whose personal information, filterable and
exportable, for subdistrict admins (``Perm.PRIVACY_LOG_VIEW``) within their scope (selectors)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from sifu.core.permissions import Perm
from sifu.core.views import AuthenticatedHttpRequest, office_view, query_without
from sifu.jobs.services import job_start
from sifu.privacy import selectors, tasks
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
def sensitive_view_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered log as .xlsx (names and fields only: the log holds no phone or ID number). Up to
    ``SIFU_EXPORT_ROWS_AT_ONCE`` rows download at once; more are made by a background job."""
    _form, _filters, views = _filtered(request)
    filename = f"unmasked-views-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    rows = views.count()
    if rows > settings.SIFU_EXPORT_ROWS_AT_ONCE:
        job = job_start(
            kind=tasks.EXPORT_KIND,
            label=tasks.export_label(rows),
            task=tasks.export_sensitive_views,
            params={"query": query_without(request, "page"), "filename": filename},
            by=request.user,
        )
        return redirect("jobs:detail", job.pk)
    return SensitiveViewExporter(views).response(filename)


urls = [
    path("office/privacy/views/", sensitive_view_list, name="view-list"),
    path("office/privacy/views/export/", sensitive_view_export, name="view-export"),
]
