"""Writes for accounts, areas and role grants. Each takes the acting user as ``by``.

``by`` is always a user: a person signed in, or the system actor (``system_actor()``) when the
demo loader, a command or a job acts. Nothing skips the permission checks; the system actor passes
them as a superuser that cannot log in, and history records it as the actor.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from sifu.accounts.models import Area, RoleGrant, User
from sifu.accounts.permissions import can_manage_account
from sifu.core.history import save_with_history
from sifu.core.permissions import AREA_ROLES, ORG_ROLES, Perm, Role, forget_grants
from sifu.core.validators import normalize_phone

SYSTEM_USERNAME = "sifu-system"


def system_actor() -> User:
    """The account that stands for the system (one query; created on first use)."""
    user = User.objects.filter(is_system=True).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            user = User(
                username=SYSTEM_USERNAME,
                display_name="System",
                is_system=True,
                is_superuser=True,
                is_staff=False,
                is_active=True,
            )
            user.set_unusable_password()
            save_with_history(user, action="accounts.user.system_created", by=None)
            user.history.filter(history_type="+").update(history_user=user)  # it created itself
    except IntegrityError:  # created at the same moment by another process
        user = User.objects.get(is_system=True)
    return user


@transaction.atomic
def area_create(*, name: str, kind: str, parent: Area | None, code: str = "", by: User) -> Area:
    name = name.strip()
    if not name:
        raise ValidationError(_("An area needs a name."))
    if kind not in Area.Kind.values:
        raise ValidationError(_("Choose the kind of area."))
    if parent is None:
        if kind not in (Area.Kind.CITY, Area.Kind.DISTRICT, Area.Kind.SUBDISTRICT):
            raise ValidationError(_("A community or smaller area must belong to a parent area."))
        if not by.is_superuser:
            raise PermissionDenied(_("Only a system administrator can add a top-level area."))
    else:
        if kind not in Area.CHILD_KINDS[Area.Kind(parent.kind)]:
            raise ValidationError(
                _("A %(kind)s cannot be placed under a %(parent)s.")
                % {"kind": Area.Kind(kind).label, "parent": parent.get_kind_display()}
            )
        if not by.has_perm(Perm.AREA_MANAGE, parent):
            raise PermissionDenied(_("You cannot add areas under %(area)s.") % {"area": parent.name})
    if Area.objects.filter(parent=parent, name=name).exists():
        raise ValidationError(_("“%(name)s” already exists here.") % {"name": name})
    area = Area(name=name, kind=kind, parent=parent, code=code.strip())
    area.depth = 0 if parent is None else parent.depth + 1
    save_with_history(area, action="accounts.area.created", by=by)
    area.path = f"{parent.path if parent else ''}{area.pk}/"
    # The path needs the new pk; store it on the row and on its first version, without a second version.
    Area.objects.filter(pk=area.pk).update(path=area.path)
    area.history.filter(history_type="+").update(path=area.path)
    return area


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    by: User,
) -> User:
    if not (by.is_superuser or by.has_perm(Perm.ACCOUNTS_MANAGE) or by.has_perm(Perm.GRANT_ORG_ROLES)):
        raise PermissionDenied(_("You cannot create accounts."))
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Choose a login name.")})
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from exc
    if len(username) > 150:
        raise ValidationError({"username": _("A login name has at most 150 characters.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("The login name “%(name)s” is taken.") % {"name": username}})
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    phone = phone.strip()
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
    user = User(username=username, display_name=display_name.strip()[:60], phone=phone, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    save_with_history(user, action="accounts.user.created", by=by)
    return user


@transaction.atomic
def user_set_active(*, user: User, active: bool, by: User) -> User:
    if user.pk == by.pk and not active:
        raise ValidationError(_("You cannot deactivate your own account."))
    if not can_manage_account(by, user):
        raise PermissionDenied(
            _("%(user)s holds roles outside your area, or is not an account you manage.") % {"user": user}
        )
    if user.is_active == active:
        if active:
            raise ValidationError(_("%(user)s is already active.") % {"user": user})
        raise ValidationError(_("%(user)s is already deactivated.") % {"user": user})
    user.is_active = active
    save_with_history(
        user,
        action="accounts.user.activated" if active else "accounts.user.deactivated",
        by=by,
        update_fields=["is_active"],
    )
    return user


def _check_can_grant(*, by: User, role: str, target: Model | None, revoking: bool = False) -> None:
    if by.is_superuser:
        return
    needed = Perm.GRANT_AREA_ROLES if role in AREA_ROLES else Perm.GRANT_ORG_ROLES
    if not by.has_perm(needed, target):
        if revoking:
            raise PermissionDenied(
                _("You cannot revoke the role %(role)s on %(target)s.") % {"role": Role(role).label, "target": target}
            )
        raise PermissionDenied(
            _("You cannot grant the role %(role)s on %(target)s.") % {"role": Role(role).label, "target": target}
        )


@transaction.atomic
def role_grant(
    *, user: User, role: str, area: Area | None = None, organization: Model | None = None, by: User
) -> RoleGrant:
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if role in AREA_ROLES:
        if area is None or organization is not None:
            raise ValidationError(_("%(role)s is granted on an area.") % {"role": Role(role).label})
        target: Model = area
    elif role in ORG_ROLES:
        if organization is None or area is not None:
            raise ValidationError(_("%(role)s is granted on one organization.") % {"role": Role(role).label})
        target = organization
    else:  # pragma: no cover - every role is in one of the two sets
        raise ValidationError(_("Unknown role."))
    _check_can_grant(by=by, role=role, target=target)
    large = (Area.Kind.CITY, Area.Kind.DISTRICT, Area.Kind.SUBDISTRICT)
    if role == Role.SUBDISTRICT_ADMIN and area is not None and area.kind not in large:
        raise ValidationError(_("A subdistrict admin is granted on a subdistrict or a larger area."))
    if role == Role.COMMUNITY_STAFF and area is not None and area.kind in large:
        raise ValidationError(_("Community staff are granted on a community (or an estate or grid in it)."))
    if user.is_system:
        raise ValidationError(_("The system actor holds no roles."))
    if not user.is_active:
        raise ValidationError(_("%(user)s is deactivated; activate the account first.") % {"user": user})
    # `organization` is the registry's Organization, typed Model here: accounts does not import the registry.
    existing = RoleGrant.objects.active().filter(
        user=user,
        role=role,
        area=area,
        organization=organization,  # type: ignore[misc]  # see above
    )
    if existing.exists():
        raise ValidationError(_("%(user)s already holds this role here.") % {"user": user})
    grant = RoleGrant(user=user, role=role, area=area, organization=organization, granted_by=by)  # type: ignore[misc]  # see above
    try:
        with transaction.atomic():
            save_with_history(grant, action="accounts.role.granted", by=by)
    except IntegrityError as exc:
        raise ValidationError(_("%(user)s already holds this role here.") % {"user": user}) from exc
    forget_grants(user)
    return grant


@transaction.atomic
def role_revoke(*, grant: RoleGrant, by: User) -> RoleGrant:
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise ValidationError(_("This role was already revoked."))
    _check_can_grant(by=by, role=grant.role, target=grant.target, revoking=True)
    if grant.user_id == by.pk and grant.role == Role.SUBDISTRICT_ADMIN:
        raise ValidationError(_("You cannot revoke your own subdistrict admin role."))
    grant.revoked_at = timezone.now()
    grant.revoked_by = by
    save_with_history(grant, action="accounts.role.revoked", by=by, update_fields=["revoked_at", "revoked_by"])
    forget_grants(grant.user)
    return grant


@transaction.atomic
def user_create_with_role(
    *,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    role: str = "",
    area: Area | None = None,
    organization: Model | None = None,
    by: User,
) -> User:
    """Create an account and, if ``role`` is given, grant it in the same transaction.

    If the grant is refused, the account is not created either: the caller sees one refusal and
    nothing is written.
    """
    user = user_create(username=username, password=password, display_name=display_name, phone=phone, email=email, by=by)
    if role:
        role_grant(user=user, role=role, area=area, organization=organization, by=by)
    return user
