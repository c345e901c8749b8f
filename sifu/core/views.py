"""Helpers shared by every app's views: the one permission decorator, calling a service from a form,
and the query string of list pages.

An office view reads::

    @office_view(Perm.NEEDS_VIEW, methods=("GET", "POST"))
    def need_create(request, ...):
        form = NeedForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            need = attempt(form, lambda: services.need_record(**form.cleaned_data, by=request.user))
            if need is not None:
                return redirect(need)
        return render(request, "incubation/need_form.html", {"form": form})

``office_view`` signs the user in (login page for anonymous visitors), allows only ``methods``
(405 otherwise) and, when ``perm`` is given, requires it somewhere in the user's scope (403);
the object itself is then fetched and authorised by the app's ``get_<entity>_for_user``.
``attempt`` calls the service and, when it refuses, shows its message on the form (by field
where the form has one) and returns None, so the view renders the form again and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_http_methods

from sifu.core.forms import add_service_error

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from sifu.accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """A request that went through ``django_htmx``'s middleware (every request does): for annotations only."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """The request of a view behind ``office_view`` or ``login_required``: its user is a ``User``, never anonymous.

    For annotations only (the django-stubs pattern); at run time views receive a plain ``HttpRequest``.
    """

    user: User


def office_view[V: Callable[..., HttpResponseBase]](
    perm: str | None = None, *, methods: Sequence[str] = ("GET",)
) -> Callable[[V], V]:
    """The one decorator of office views: signed in, one of ``methods``, and holding ``perm`` somewhere."""

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if perm is not None and not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # functools.wraps keeps the view's signature: the decorated view has the view's type.
        return cast(V, login_required(require_http_methods(list(methods))(wrapper)))

    return decorate


def attempt[T](form: forms.BaseForm, call: Callable[[], T], *, fields: Mapping[str, str] | None = None) -> T | None:
    """``call()`` (a service), or None with its refusal shown on ``form`` (see ``add_service_error``)."""
    try:
        return call()
    except (ValidationError, PermissionDenied) as exc:
        add_service_error(form, exc, fields=fields)
        return None


def query_without(request: HttpRequest, *names: str) -> str:
    """The request's query string without ``names`` (e.g. "page"), for pagination and sort links."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
