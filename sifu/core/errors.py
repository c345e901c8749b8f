"""Error pages (issue 7 §4): 400, 403, 404, 429, 500 and the CSRF failure, in the site's layout.

``config/urls.py`` names the handlers (``handler400`` …) and ``CSRF_FAILURE_VIEW`` the CSRF one.
Every app that refuses a request for being too frequent answers with ``too_many_requests`` (the
public need submission, the login throttling), so all of them show the same page.

- Office pages (``/office/…``) of a signed-in user get the office layout (with the menu); every
  other request gets the public layout. The API (``/api/…``) gets JSON, as DRF answers there.
- Each page says what happened and offers a way back: the previous page (the same-site referrer,
  else the browser's history), the home page, and for a 403 to an anonymous user, the login page.
- 500 is static: rendered without a request context (no context processor, no query, no session),
  so it renders while the database is down.

The templates are ``400.html``, ``403.html``, ``403_csrf.html``, ``404.html``, ``429.html`` (each
extending ``errors/base.html``) and ``500.html`` (standalone) in ``sifu/web/templates``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

OFFICE_PREFIX = "/office/"
API_PREFIX = "/api/"


def _host(request: HttpRequest) -> str | None:
    try:
        return request.get_host()
    except DisallowedHost:  # the 400 for a bad Host header itself
        return None


def _in_office(request: HttpRequest) -> bool:
    if not request.path.startswith(OFFICE_PREFIX):
        return False
    user = getattr(request, "user", None)  # absent when the error happened before the middleware
    return bool(user is not None and user.is_authenticated)


def back_url(request: HttpRequest, *, same_page: bool = False) -> str | None:
    """The page the user came from, when it is a page of this site (other than the current one,
    unless ``same_page``: a form that posts to its own address is reloaded from there)."""
    referer = request.META.get("HTTP_REFERER", "")
    host = _host(request)
    if not referer or host is None:
        return None
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return None
    parts = urlsplit(referer)
    if not same_page and parts.path == request.path and parts.query == request.META.get("QUERY_STRING", ""):
        return None
    return referer


def _context(request: HttpRequest, status: int) -> dict[str, Any]:
    office = _in_office(request)
    return {
        "status": status,
        "layout": "office/base.html" if office else "public/base.html",
        "home_url": reverse("web:office-home") if office else reverse("web:home"),
        "back_url": back_url(request),
    }


def _api_detail(status: int) -> str:
    titles = {400: _("Bad request"), 403: _("Not allowed"), 404: _("Page not found"), 429: _("Too many requests")}
    return titles.get(status) or _("Error %(status)s") % {"status": status}


def render_error(
    request: HttpRequest, template: str, status: int, context: dict[str, Any] | None = None
) -> HttpResponse:
    """One error page in the request's layout (module docstring)."""
    if request.path.startswith(API_PREFIX):
        detail = (context or {}).get("detail") or (context or {}).get("message") or _api_detail(status)
        if not isinstance(detail, str):
            detail = " ".join(str(line) for line in detail)
        return JsonResponse({"detail": str(detail)}, status=status)
    full = _context(request, status) | (context or {})
    return HttpResponse(loader.render_to_string(template, full, request), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403. A refusal that carries its own message (a service's ``PermissionDenied("…")``) shows it."""
    context: dict[str, Any] = {"detail": str(exception) if exception is not None and exception.args else ""}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        context["login_url"] = redirect_to_login(request.get_full_path()).url
    return render_error(request, "403.html", 403, context)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, static: no request context, so no context processor, session or query runs."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return HttpResponse(loader.render_to_string("500.html", {"home_url": reverse("web:home")}), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form's security token expired or is missing (``CSRF_FAILURE_VIEW``): say so, offer a reload."""
    context = {"reload_url": back_url(request, same_page=True), "reason": reason if settings.DEBUG else ""}
    return render_error(request, "403_csrf.html", 403, context)


def too_many_requests(
    request: HttpRequest,
    *,
    message: str | Sequence[str] = "",
    title: str = "",
    retry_after: int | None = None,
    card_class: str = "",
) -> HttpResponse:
    """429: the request came too often. ``message`` says which limit and what to do; ``retry_after``
    (seconds) becomes the Retry-After header and "try again in N minutes"."""
    lines = [message] if isinstance(message, str) else list(message)
    context = {
        "title": title,
        "message": [line for line in lines if line],
        "retry_minutes": max(1, round(retry_after / 60)) if retry_after else None,
        "card_class": card_class,
    }
    response = render_error(request, "429.html", 429, context)
    if retry_after:
        response["Retry-After"] = str(int(retry_after))
    return response
