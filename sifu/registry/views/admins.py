"""The admins (组织管理员) of one organization: list, grant to an existing or a new account, revoke.

This is community staff's way to open the office to an organization's own people. It lives in
the registry, which knows organizations; the grants themselves are accounts' RoleGrant rows,
written through ``accounts.services`` (``role_grant``, ``user_create_with_role``) and revoked
through ``accounts:role-revoke`` (DESIGN.md §3: every app may import accounts, not the reverse).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from sifu.accounts import selectors as account_selectors
from sifu.accounts import services as account_services
from sifu.accounts.forms import OrgAdminExistingForm, OrgAdminNewForm
from sifu.core.forms import add_service_error
from sifu.core.permissions import Perm, Role
from sifu.core.views import AuthenticatedHttpRequest, office_view
from sifu.registry.permissions import get_organization_for_user

PASSWORD_FIELD = {"password": "password1"}  # the accounts service's field, the form's first password box


@office_view(methods=("GET", "POST"))
def organization_admins(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Admins of one organization (Perm.GRANT_ORG_ROLES on it): 404 outside scope, 403 without it."""
    organization = get_organization_for_user(request.user, pk, Perm.GRANT_ORG_ROLES)
    action = request.POST.get("action")
    existing_form = OrgAdminExistingForm(request.POST if action == "existing" else None)
    new_form = OrgAdminNewForm(request.POST if action == "new" else None)
    status = 200
    if request.method == "POST":
        form = existing_form if action == "existing" else new_form
        if form.is_valid():
            try:
                if form is existing_form:
                    account = form.cleaned_data["username"]
                    account_services.role_grant(
                        user=account, role=Role.ORG_ADMIN, organization=organization, by=request.user
                    )
                else:
                    account = account_services.user_create_with_role(
                        **new_form.account_data(), role=Role.ORG_ADMIN, organization=organization, by=request.user
                    )
            except (ValidationError, PermissionDenied) as exc:
                add_service_error(form, exc, fields=PASSWORD_FIELD)
            else:
                messages.success(
                    request, _("%(user)s is now an admin of %(org)s.") % {"user": account, "org": organization}
                )
                return redirect("registry:organization-admins", pk=organization.pk)
        status = 400
    grants = account_selectors.organization_admin_grants(organization)
    context = {
        "organization": organization,
        "active_grants": [g for g in grants if g.is_active],
        "former_grants": [g for g in grants if not g.is_active],
        "existing_form": existing_form,
        "new_form": new_form,
    }
    return render(request, "registry/organization_admins.html", context, status=status)


urls = [
    path("office/organizations/<int:pk>/admins/", organization_admins, name="organization-admins"),
]
