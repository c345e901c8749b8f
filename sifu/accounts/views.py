"""Login, accounts and roles, areas. Views read through selectors and write through services only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sifu.accounts import selectors, services
from sifu.accounts.forms import AccountCreateForm, AreaCreateForm, GrantForm
from sifu.accounts.permissions import can_manage_account, outside_grants
from sifu.core.errors import too_many_requests
from sifu.core.forms import add_service_error
from sifu.core.masking import mask_phone
from sifu.core.permissions import Perm, Role
from sifu.core.views import AuthenticatedHttpRequest, office_view


class SifuLoginView(auth_views.LoginView):
    """Django's login; django-axes counts failures and answers with ``locked_out`` (HTTP 429)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["cooloff_minutes"] = round(settings.AXES_COOLOFF_TIME * 60)
        return context


class SifuLogoutView(auth_views.LogoutView):
    pass


def locked_out(request: HttpRequest, original_response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """django-axes' answer to a locked login (``AXES_LOCKOUT_CALLABLE``): the site's 429 page."""
    limit = settings.AXES_FAILURE_LIMIT
    cooloff = round(settings.AXES_COOLOFF_TIME * 3600)
    return too_many_requests(
        request,
        title=_("Too many failed logins"),
        message=[
            ngettext(
                "After %(count)s wrong password, logins for this account from this address are paused "
                "for %(minutes)s minutes.",
                "After %(count)s wrong passwords, logins for this account from this address are paused "
                "for %(minutes)s minutes.",
                limit,
            )
            % {"count": limit, "minutes": round(cooloff / 60)},
            _("Try again later, or ask your subdistrict admin to reset your password."),
        ],
        retry_after=cooloff,
        card_class="lockout-card",
    )


# --- helpers ---------------------------------------------------------------------------------------------


def _refusal_messages(exc: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc) or _("You are not allowed to do this.")]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=False):
        return nxt
    return fallback


# --- accounts --------------------------------------------------------------------------------------------


@office_view(Perm.ACCOUNTS_MANAGE)
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = selectors.accounts_for_user(request.user, search=q)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": q})


@office_view(Perm.ACCOUNTS_MANAGE, methods=("GET", "POST"))
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.user_create_with_role(
                **form.account_data(),
                role=data.get("role") or "",
                area=data.get("area"),
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc, fields={"password": "password1"})
        else:
            messages.success(request, _("Account “%(user)s” created.") % {"user": account})
            return redirect("accounts:user-detail", pk=account.pk)
    return render(request, "accounts/user_form.html", {"form": form}, status=400 if form.errors else 200)


def _user_detail_context(
    request: AuthenticatedHttpRequest, account: Any, grant_form: GrantForm | None = None
) -> dict[str, Any]:
    viewer = request.user
    grants = selectors.account_grants(account)
    for grant in grants:
        grant.can_revoke = grant.is_active and _may_revoke(viewer, grant)  # type: ignore[attr-defined]  # for the template
    return {
        "account": account,
        "phone_masked": mask_phone(account.phone),  # staff phones are shown masked too
        "grants": grants,
        "active_count": sum(1 for g in grants if g.is_active),
        "created_by": selectors.account_created_by(account),
        "timeline": selectors.account_timeline(account),
        "grant_form": grant_form or GrantForm(viewer=viewer),
        "can_manage": can_manage_account(viewer, account) and account.pk != viewer.pk,
        "outside": outside_grants(viewer, account),
    }


def _may_revoke(viewer: Any, grant: Any) -> bool:
    """Show a revoke button? (role_revoke decides; this only hides buttons that would be refused)."""
    if viewer.is_superuser:
        return True
    perm = Perm.GRANT_AREA_ROLES if grant.area_id else Perm.GRANT_ORG_ROLES
    return viewer.has_perm(perm, grant.target) and not (
        grant.user_id == viewer.pk and grant.role == Role.SUBDISTRICT_ADMIN
    )


@office_view()
def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account_for_user(request.user, pk)
    return render(request, "accounts/user_detail.html", _user_detail_context(request, account))


@office_view(methods=("POST",))
def role_grant(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account_for_user(request.user, pk)
    form = GrantForm(request.POST, viewer=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            grant = services.role_grant(
                user=account,
                role=data["role"],
                area=data["area"],
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            for text in _refusal_messages(exc):
                messages.error(request, text)
        else:
            messages.success(
                request,
                _("%(user)s is now %(role)s on %(target)s.")
                % {"user": account, "role": grant.get_role_display(), "target": grant.target},
            )
            return redirect("accounts:user-detail", pk=account.pk)
    context = _user_detail_context(request, account, grant_form=form)
    return render(request, "accounts/user_detail.html", context, status=400)


@office_view(methods=("POST",))
def role_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    grant = selectors.get_grant_for_user(request.user, pk)
    # Pages that revoke pass ``next``; without it, back to the account, or (community staff, who
    # revoke organization admins) to the organization's admins page, named here by URL only.
    fallback = (
        reverse("accounts:user-detail", args=[grant.user_id])
        if request.user.has_perm(Perm.ACCOUNTS_MANAGE)
        else reverse("registry:organization-admins", args=[grant.organization_id])
        if grant.organization_id
        else reverse("web:office-home")
    )
    try:
        services.role_revoke(grant=grant, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        for text in _refusal_messages(exc):
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("%(user)s is no longer %(role)s on %(target)s.")
            % {"user": grant.user, "role": grant.get_role_display(), "target": grant.target},
        )
    return HttpResponseRedirect(_safe_next(request, fallback))


@office_view(methods=("POST",))
def user_set_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_account_for_user(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(user=account, active=active, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        for text in _refusal_messages(exc):
            messages.error(request, text)
    else:
        if active:
            messages.success(request, _("%(user)s can log in again.") % {"user": account})
        else:
            messages.success(request, _("%(user)s is deactivated and can no longer log in.") % {"user": account})
    return redirect("accounts:user-detail", pk=account.pk)


# --- areas -----------------------------------------------------------------------------------------------


@office_view(Perm.AREA_MANAGE)
def area_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = selectors.area_tree(request.user)
    return render(request, "accounts/area_list.html", {"rows": rows})


@office_view(Perm.AREA_MANAGE, methods=("GET", "POST"))
def area_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    parent_pk = request.GET.get("parent") or request.POST.get("parent")
    if parent_pk:
        try:
            parent = selectors.get_area_for_user(request.user, int(parent_pk))
        except ValueError:
            return redirect("accounts:area-list")
    elif request.user.is_superuser:
        parent = None
    else:
        messages.info(request, _("Choose where the new area belongs: use “Add” on its parent below."))
        return redirect("accounts:area-list")
    if parent is not None and not parent.CHILD_KINDS[parent.Kind(parent.kind)]:
        messages.error(request, _("Nothing can be added under a %(kind)s.") % {"kind": parent.get_kind_display()})
        return redirect("accounts:area-list")
    form = AreaCreateForm(request.POST or None, parent=parent, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            area = services.area_create(**form.cleaned_data, parent=parent, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("%(kind)s “%(name)s” added.") % {"kind": area.get_kind_display(), "name": area.name}
            )
            return redirect("accounts:area-list")
    return render(
        request, "accounts/area_form.html", {"form": form, "parent": parent}, status=400 if form.errors else 200
    )
