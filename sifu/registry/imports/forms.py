"""One form per row of the registry workbook: allowed words, dates, identifiers and consistency."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from sifu.accounts.models import Area
from sifu.core.permissions import Scope
from sifu.core.spreadsheets import CellChoiceField, CellDateField, CellIdentifierField, CellTextField
from sifu.core.validators import normalize_id_number, normalize_phone, normalize_uscc
from sifu.registry import services
from sifu.registry.imports.vocabulary import (
    CATEGORIES,
    CATEGORY_ALIASES,
    FORMS,
    LEGAL_ALIASES,
    LEGAL_STATUSES,
    NATURE_ALIASES,
    NATURES,
    POLITICAL_ALIASES,
    POLITICAL_STATUSES,
    ROLES,
    STATUSES,
    YES_NO,
    YES_NO_ALIASES,
    Legal,
    Role,
    Status,
)


class CommunityDirectory:
    """The communities an importer may import into, found by name.

    One query loads the communities in scope; a name that is not among them costs one more query
    (cached), to tell "outside your area" from "no such community".
    """

    def __init__(self, scope: Scope) -> None:
        self.by_name: dict[str, list[Area]] = defaultdict(list)
        for area in Area.objects.communities().filter(scope.q("path")).select_related("parent"):
            self.by_name[area.name].append(area)
        self._exists_elsewhere: dict[str, bool] = {}

    def _candidates(self, name: str) -> list[Area]:
        return self.by_name.get(name) or self.by_name.get(f"{name}社区") or []

    def resolve(self, text: str) -> Area:
        """ "荔芳社区", "荔芳" or "南山街道/荔芳社区" → the community, or a ValidationError saying why not."""
        text = text.replace("／", "/").strip()
        parent, _sep, name = (part.strip() for part in text.rpartition("/"))
        found = self._candidates(name)
        if parent:
            found = [a for a in found if a.parent and a.parent.name in (parent, f"{parent}街道")]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValidationError(
                _("Several communities are called “%(name)s” (in %(where)s): write it as 街道/社区, e.g. %(example)s.")
                % {
                    "name": text,
                    "where": "、".join(a.parent.name for a in found if a.parent),
                    "example": f"{found[0].parent.name if found[0].parent else ''}/{found[0].name}",
                }
            )
        if name not in self._exists_elsewhere:
            self._exists_elsewhere[name] = (
                Area.objects.communities().filter(Q(name=name) | Q(name=f"{name}社区")).exists()
            )
        if self._exists_elsewhere[name]:
            raise ValidationError(
                _("“%(name)s” is outside your area: you can only import into communities you administer.")
                % {"name": text}
            )
        raise ValidationError(_("There is no community called “%(name)s”.") % {"name": text})


class OrganizationRowForm(forms.Form):
    """One row of the 组织 sheet."""

    name = CellTextField(max_length=80)
    community = CellTextField(max_length=130)
    form = CellChoiceField(choices=FORMS)
    nature = CellChoiceField(choices=NATURES, aliases=NATURE_ALIASES)
    category = CellChoiceField(choices=CATEGORIES, aliases=CATEGORY_ALIASES)
    legal_status = CellChoiceField(choices=LEGAL_STATUSES, aliases=LEGAL_ALIASES)
    filing_number = CellIdentifierField(max_length=40, required=False)
    uscc = CellIdentifierField(max_length=40, required=False)
    founded_on = CellDateField(required=False)
    filed_on = CellDateField(required=False)
    registered_on = CellDateField(required=False)
    venue = CellTextField(max_length=120, required=False)
    party_clause_in_charter = CellChoiceField(choices=YES_NO, aliases=YES_NO_ALIASES, required=False, default=False)
    party_branch_founded_on = CellDateField(required=False)
    status = CellChoiceField(choices=STATUSES)

    def __init__(self, *args: Any, communities: CommunityDirectory, **kwargs: Any) -> None:
        self.communities = communities
        super().__init__(*args, **kwargs)

    def clean_community(self) -> Area:
        return self.communities.resolve(self.cleaned_data["community"])

    def clean_uscc(self) -> str:
        value = self.cleaned_data["uscc"]
        return normalize_uscc(value) if value else ""

    def _missing(self, name: str, message: str) -> None:
        if not self.cleaned_data.get(name) and name not in self.errors:
            self.add_error(name, message)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        legal, status = data.get("legal_status"), data.get("status")
        if legal == Legal.UNFILED:
            self._clean_unfiled(data, status)
        elif legal in (Legal.FILED, Legal.REGISTERED):
            self._clean_filed(data, legal, status)
        filed_on, registered_on = data.get("filed_on"), data.get("registered_on")
        if filed_on and registered_on and registered_on < filed_on:
            self.add_error("registered_on", _("The registration date cannot be before the filing date (备案日期)."))
        founded_on, branch_on = data.get("founded_on"), data.get("party_branch_founded_on")
        if founded_on and branch_on and branch_on < founded_on:
            self.add_error(
                "party_branch_founded_on", _("The party branch cannot be founded before the organization (成立日期).")
            )
        return data

    def _clean_unfiled(self, data: dict[str, Any], status: str | None) -> None:
        if status in (Status.ACTIVE, Status.DORMANT):
            self.add_error(
                "status", _("A 未备案 organization can only be 拟成立, 培育中 or 注销; set 登记状态 to 备案 or 登记.")
            )
        for name, title in (("filing_number", "备案编号"), ("filed_on", "备案日期")):
            if data.get(name):
                self.add_error(
                    name, _("%(title)s is given but 登记状态 is 未备案: clear one of them.") % {"title": title}
                )
        self._only_registered(data)

    def _clean_filed(self, data: dict[str, Any], legal: str, status: str | None) -> None:
        if status in (Status.PROPOSED, Status.INCUBATING):
            self.add_error(
                "status", _("A filed or registered organization is no longer 拟成立 or 培育中: use 活跃, 休眠 or 注销.")
            )
        self._missing("filing_number", _("备案 and 登记 organizations need their filing number (备案编号)."))
        self._missing("filed_on", _("备案 and 登记 organizations need their filing date (备案日期)."))
        if legal == Legal.FILED:
            self._only_registered(data)
            return
        self._missing("uscc", _("A registered (登记) organization needs its unified social credit code."))
        self._missing("registered_on", _("A registered (登记) organization needs its registration date."))
        if data.get("uscc") and data.get("nature"):
            try:
                services.check_uscc_matches(data["uscc"], data["nature"])
            except ValidationError as exc:
                self.add_error("uscc", exc.message_dict["uscc"])

    def _only_registered(self, data: dict[str, Any]) -> None:
        for name, title in (("uscc", "统一社会信用代码"), ("registered_on", "登记日期")):
            if data.get(name):
                self.add_error(
                    name,
                    _("%(title)s is only for registered (登记) organizations: clear it or set 登记状态 to 登记.")
                    % {"title": title},
                )


class MemberRowForm(forms.Form):
    """One row of the 成员 sheet."""

    organization = CellTextField(max_length=220)
    name = CellTextField(max_length=40)
    phone = CellIdentifierField(max_length=30, required=False)
    id_number = CellIdentifierField(max_length=30, required=False)
    political_status = CellChoiceField(choices=POLITICAL_STATUSES, aliases=POLITICAL_ALIASES, required=False)
    role = CellChoiceField(choices=ROLES, required=False, default=Role.MEMBER)
    joined_on = CellDateField()
    left_on = CellDateField(required=False)

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        return normalize_phone(value) if value else ""

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        return normalize_id_number(value) if value else ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("phone") and not data.get("id_number") and not {"phone", "id_number"} & set(self.errors):
            self.add_error("phone", _("Give 手机 or 身份证号, so the person is recognised in every organization."))
        joined_on, left_on = data.get("joined_on"), data.get("left_on")
        if joined_on and left_on and left_on < joined_on:
            self.add_error("left_on", _("退出日期 cannot be before 加入日期."))
        return data
