"""Forms of the account and area pages. They only shape input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from sifu.accounts.models import Area, User
from sifu.core.permissions import AREA_ROLES, GRANTABLE_ROLES, Perm, Role, scope_for


class AreaChoiceField(forms.ModelChoiceField):
    """Areas indented by depth, so the tree reads in a plain <select>."""

    def __init__(self, *args: Any, top_depth: int = 0, **kwargs: Any) -> None:
        self.top_depth = top_depth
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Area) -> str:
        indent = "\u3000" * max(obj.depth - self.top_depth, 0)
        return f"{indent}{obj.name} ({obj.get_kind_display()})"


def grantable_roles(viewer: Any) -> list[tuple[str, StrOrPromise]]:
    """The area roles ``viewer`` may hand out somewhere, in the vocabulary's order.

    Organization admins are granted on the organization's own admins page (registry), which
    knows the organization; the account pages grant roles on areas only.
    """
    allowed: set[str] = set()
    if viewer.is_superuser or viewer.has_perm(Perm.GRANT_AREA_ROLES):
        allowed = set(GRANTABLE_ROLES[Perm.GRANT_AREA_ROLES])
    return [(value, label) for value, label in Role.choices if value in allowed]


def _tree_order(areas: list[Area]) -> list[Area]:
    return sorted(areas, key=lambda a: [int(p) for p in a.path.split("/") if p])


class RoleFieldsMixin(forms.Form):
    """An area role + the area, limited to what the viewer may grant."""

    role = forms.ChoiceField(label=_("Role"), required=False)
    area = AreaChoiceField(
        label=_("On area"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("The role covers this area and everything beneath it."),
    )
    role_required = True

    def setup_role_fields(self, viewer: Any) -> None:
        roles = grantable_roles(viewer)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", _("— choose a role —") if self.role_required else _("— no role yet —"))]
        role.choices += roles
        role.required = self.role_required
        field = self.fields["area"]
        assert isinstance(field, AreaChoiceField)
        field.queryset = Area.objects.filter(scope_for(viewer, Perm.GRANT_AREA_ROLES).q("path"))
        areas = _tree_order(list(field.queryset))
        field.top_depth = min((a.depth for a in areas), default=0)
        # Tree order in the <select>, read once from this list.
        field.choices = [("", "—"), *((a.pk, field.label_from_instance(a)) for a in areas)]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        role = data.get("role")
        if role in AREA_ROLES and data.get("area") is None and "area" not in self.errors:
            self.add_error("area", _("%(role)s is granted on an area: choose one.") % {"role": Role(role).label})
        return data


class GrantForm(RoleFieldsMixin):
    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_role_fields(viewer)


class AccountFieldsMixin(forms.Form):
    username = forms.CharField(
        label=_("Login name"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only; used to log in."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=60,
        required=False,
        help_text=_("Shown in the office, e.g. 荔芳社区 李社工."),
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password. Tell it to the person safely."),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        return data

    def account_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "username": d["username"],
            "password": d["password1"],
            "display_name": d.get("display_name", ""),
            "phone": d.get("phone", ""),
            "email": d.get("email", ""),
        }


class AccountCreateForm(AccountFieldsMixin, RoleFieldsMixin):
    """A new account, optionally with its first role."""

    email = forms.EmailField(label=_("E-mail"), required=False)
    role_required = False
    field_order = [
        "username",
        "display_name",
        "phone",
        "email",
        "password1",
        "password2",
        "role",
        "area",
    ]

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_role_fields(viewer)
        self.order_fields(self.field_order)


class OrgAdminExistingForm(forms.Form):
    """Make an existing account an admin of the organization."""

    username = forms.CharField(label=_("Login name of the account"), max_length=150)

    def clean_username(self) -> User:
        name = self.cleaned_data["username"].strip()
        user = User.objects.filter(username__iexact=name).first()
        if user is None:
            raise forms.ValidationError(
                _("No account has the login name “%(name)s”. Check the spelling, or create a new account below.")
                % {"name": name}
            )
        return user


class OrgAdminNewForm(AccountFieldsMixin):
    """Create an account that becomes an admin of the organization."""

    prefix = "new"


class AreaCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"))
    code = forms.CharField(
        label=_("Division code"), max_length=20, required=False, help_text=_("Optional, e.g. the statistics code.")
    )

    def __init__(self, *args: Any, parent: Area | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parent is None:
            kinds: tuple[Area.Kind, ...] = (Area.Kind.CITY, Area.Kind.DISTRICT, Area.Kind.SUBDISTRICT)
        else:
            kinds = Area.CHILD_KINDS[Area.Kind(parent.kind)]
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k.value, k.label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0].value
