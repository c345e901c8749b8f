"""The public need submission (no login). Nothing submitted is ever shown on the public side.

Abuse guards: CSRF, a honeypot field, and at most ``SUBMISSIONS_PER_HOUR`` submissions per
client IP (counted in Django's cache); one more is answered with the site's 429 page.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sifu.accounts.services import system_actor
from sifu.core.errors import too_many_requests
from sifu.core.forms import add_service_error
from sifu.incubation import services
from sifu.incubation.forms import PublicNeedForm

SUBMISSIONS_PER_HOUR = 5
WINDOW_SECONDS = 3600


def _rate_key(request: HttpRequest) -> str:
    # REMOTE_ADDR, not X-Forwarded-For: a client can write any forwarded header it likes.
    return f"incubation:need-submit:{request.META.get('REMOTE_ADDR', '')}"


def _over_limit(request: HttpRequest) -> bool:
    return (cache.get(_rate_key(request)) or 0) >= SUBMISSIONS_PER_HOUR


def _count(request: HttpRequest) -> None:
    key = _rate_key(request)
    if not cache.add(key, 1, WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, WINDOW_SECONDS)


@require_http_methods(["GET", "POST"])
def need_submit(request: HttpRequest) -> HttpResponse:
    form = PublicNeedForm(request.POST or None)
    if request.method == "POST":
        if _over_limit(request):
            return too_many_requests(
                request,
                message=_(
                    "Too many needs were sent from your connection in the last hour. Please try again later, "
                    "or tell your community's office directly."
                ),
            )
        if form.is_valid():
            _count(request)
            if form.cleaned_data["website"]:  # honeypot filled in: a bot; say thanks, keep nothing
                return redirect("incubation:need-submitted")
            data = form.cleaned_data
            try:
                services.need_submit_public(
                    community=data["community"],
                    title=data["title"],
                    category=data["category"],
                    description=data["description"],
                    affected_group=data["affected_group"],
                    place=data["place"],
                    submitter_name=data["submitter_name"],
                    submitter_phone=data["submitter_phone"],
                    by=system_actor(),  # residents have no account
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                return redirect("incubation:need-submitted")
    status = 400 if form.errors else 200
    return render(request, "incubation/public/need_submit.html", {"form": form}, status=status)


@require_GET
def need_submitted(request: HttpRequest) -> HttpResponse:
    return render(request, "incubation/public/need_submitted.html")


urls = [
    path("needs/submit/", need_submit, name="need-submit"),
    path("needs/submit/thanks/", need_submitted, name="need-submitted"),
]
