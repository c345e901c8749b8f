"""Registry spreadsheets: the organization list export and the import template.

``OrganizationListExporter(queryset, unmasked=False).response("社区社会组织名单.xlsx")``
    The (already filtered and authorised) organizations, one row each, with the columns of the
    import's 组织 sheet and the same words, so an export can be edited and imported again, plus
    负责人, 负责人手机, 当前成员数 and 党员数. One query, whatever the number of rows: the
    leader and the counts are subqueries. Phones are masked (138****1234) unless ``unmasked=True``.
    The caller decides who may have them unmasked (Perm.PEOPLE_SENSITIVE) and records it with
    ``privacy.services.unmasked_export_record`` (DESIGN.md §4.7).

``ImportTemplateExporter(communities=[...]).response("社区社会组织导入模板.xlsx")``
    The import template: sheets 组织 and 成员 with their headers, dropdowns for the enumerated
    columns, an example row each (skipped on import), and a 说明 sheet explaining every column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from sifu.core.masking import mask_phone
from sifu.core.permissions import Perm
from sifu.core.spreadsheets import (
    TEXT_FORMAT,
    Column,
    ImportColumn,
    ListExporter,
    WorkbookExporter,
    list_validation,
)
from sifu.core.spreadsheets.export import HEADER_FILL, HEADER_FONT
from sifu.registry import selectors
from sifu.registry.forms import OrganizationFilterForm
from sifu.registry.imports.vocabulary import (
    CATEGORIES,
    EXAMPLE_PREFIX,
    FORMS,
    LEGAL_STATUSES,
    MEMBER_COLUMNS,
    MEMBER_SHEET,
    NATURES,
    NOTES_SHEET,
    ORG_COLUMNS,
    ORG_SHEET,
    STATUSES,
    YES_NO,
    word_for,
)
from sifu.registry.models import Membership, Organization, Person

TEMPLATE_ROWS = 5000  # dropdowns and text formats reach this far down the template's sheets


def _import_column(column: ImportColumn) -> Column:
    width = column.width or max(len(column.title) * 2 + 4, 10)
    return Column(column.title, width=width, number_format=TEXT_FORMAT if column.text else None)


def annotate_for_export(queryset: QuerySet[Organization]) -> QuerySet[Organization]:
    """The leader's name and phone and the current member and party-member counts, as subqueries.

    Subqueries (not joins) keep the row count right whatever filters the queryset already has.
    """
    current = Membership.objects.filter(organization=OuterRef("pk"), left_on__isnull=True)
    leader = current.filter(role=Membership.Role.LEADER).order_by("joined_on", "pk")

    def count(qs: QuerySet[Membership]) -> Coalesce:
        counted = qs.order_by().values("organization").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    return queryset.select_related("community").annotate(
        export_leader_name=Subquery(leader.values("person__name")[:1]),
        export_leader_phone=Subquery(leader.values("person__phone")[:1]),
        export_members=count(current),
        export_party_members=count(current.filter(person__political_status__in=Person.PARTY_STATUSES)),
    )


def organizations_to_export(user: Any, query: Any, *, unmasked: bool = False) -> QuerySet[Organization]:
    """The organization list as ``user`` filtered it (``query``: the list page's GET parameters),
    for an export. PermissionDenied without ``Perm.ORG_EXPORT``, or without
    ``Perm.PEOPLE_SENSITIVE`` when ``unmasked`` (then only the organizations where the user may
    see personal data are kept). The page and the export job both call it, so a job checks again."""
    if not user.has_perm(Perm.ORG_EXPORT):
        raise PermissionDenied(_("You may not export the registry."))
    if unmasked and not user.has_perm(Perm.PEOPLE_SENSITIVE):
        raise PermissionDenied(_("You may not export unmasked personal information."))
    filters = OrganizationFilterForm(query or None, user=user).filters
    queryset = selectors.organization_list(user, filters, perm=Perm.ORG_EXPORT)
    if unmasked:
        queryset = queryset.filter(pk__in=Organization.objects.for_user(user, Perm.PEOPLE_SENSITIVE).values("pk"))
    return queryset


class OrganizationListExporter(ListExporter):
    """The organization list as one sheet named 组织 (see the module docstring)."""

    sheet_title = ORG_SHEET
    columns = (
        *(_import_column(c) for c in ORG_COLUMNS),
        Column("负责人", width=10),
        Column("负责人手机", width=14, number_format=TEXT_FORMAT),
        Column("当前成员数", width=12),
        Column("党员数", width=8),
    )

    def __init__(self, queryset: QuerySet[Organization], *, unmasked: bool = False) -> None:
        super().__init__(annotate_for_export(queryset))
        self.unmasked = unmasked

    def row(self, org: Any) -> Sequence[Any]:
        phone = org.export_leader_phone or ""
        return [
            org.name,
            org.community.name,
            word_for(FORMS, org.form),
            word_for(NATURES, org.nature),
            word_for(CATEGORIES, org.category),
            word_for(LEGAL_STATUSES, org.legal_status),
            org.filing_number or "",
            org.uscc or "",
            org.founded_on,
            org.filed_on,
            org.registered_on,
            org.venue,
            word_for(YES_NO, org.party_clause_in_charter),
            org.party_branch_founded_on,
            word_for(STATUSES, org.status),
            org.export_leader_name or "",
            phone if self.unmasked else mask_phone(phone),
            org.export_members,
            org.export_party_members,
        ]


# The import template ---------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _example_value(column: ImportColumn, community: str) -> Any:
    if column.field == "community":
        return community
    value = column.example
    if isinstance(value, str) and _ISO_DATE.match(value):
        return dt.date.fromisoformat(value)
    return value


class TemplateSheet(ListExporter):
    """An empty import sheet: header, one example row, dropdowns and text formats."""

    def __init__(self, name: str, import_columns: Sequence[ImportColumn], *, community: str, communities_ref: str):
        self.import_columns = tuple(import_columns)
        self.communities_ref = communities_ref
        example = [_example_value(c, community) for c in self.import_columns]
        super().__init__([example], columns=[_import_column(c) for c in self.import_columns], sheet_title=name)

    def prepare(self, worksheet: Any, columns: Sequence[Column]) -> None:
        for index, column in enumerate(self.import_columns):
            letter = get_column_letter(index + 1)
            cells = f"{letter}2:{letter}{TEMPLATE_ROWS}"
            if column.values:
                worksheet.data_validations.append(
                    list_validation(
                        column.values,
                        cells,
                        title=column.title,
                        prompt=_("Choose one of: %(values)s") % {"values": "|".join(column.values)},
                    )
                )
            elif column.field == "community" and self.communities_ref:
                # A warning only: 街道/社区 may be typed to tell apart two communities of one name.
                worksheet.data_validations.append(
                    list_validation(self.communities_ref, cells, strict=False, title=column.title)
                )


class NotesSheet(ListExporter):
    """The 说明 sheet: how the import works, what goes in each column, and (column G) the
    communities one may import into, which the 所属社区 dropdowns refer to."""

    freeze_header = False

    def __init__(self, communities: Sequence[str]) -> None:
        self.communities = list(communities)
        widths = (10, 16, 8, 72, 36, 3, 30)
        titles = [_("How the import works"), "", "", "", "", "", _("Communities you may import into")]
        super().__init__(
            columns=[Column(t, width=w) for t, w in zip(titles, widths, strict=True)], sheet_title=NOTES_SHEET
        )

    @staticmethod
    def notes() -> list[str]:
        return [
            _("1. Fill in the 组织 and 成员 sheets; keep the sheet names and column titles as they are."),
            _("2. Rows whose 组织名称 starts with “%(prefix)s” are examples and are skipped; delete or replace them.")
            % {"prefix": EXAMPLE_PREFIX},
            _("3. Dates are Excel dates or text written YYYY-MM-DD (YYYY/MM/DD is accepted); none in the future."),
            _("4. Type 手机, 身份证号, 备案编号 and 统一社会信用代码 as text, so Excel keeps every digit."),
            _(
                "5. Every row is checked first. If any row has a problem, nothing is imported and each problem is "
                "listed with its sheet, row and column."
            ),
            _(
                "6. Importing the same file again changes nothing: organizations are recognised by community and "
                "name, people by ID number or phone, memberships by person, organization and 加入日期."
            ),
            _(
                "7. Filings are recorded as made before Sifu: the member floor of the filing rules is not checked "
                "on import (it is when a filing is made in Sifu)."
            ),
            _("8. The file gives no date for 休眠 and 注销: they are recorded on the day of the import."),
            _("9. A 登记 organization was filed first: give its 备案编号 and 备案日期 too."),
        ]

    def get_rows(self) -> Iterable[Sequence[Any]]:
        rows: list[list[Any]] = [[_Note(note)] for note in self.notes()]
        rows.append([])
        rows.append(
            [_Bold(t) for t in (_("Sheet"), _("Column"), _("Required"), _("What to write"), _("Allowed values"))]
        )
        for sheet, columns in ((ORG_SHEET, ORG_COLUMNS), (MEMBER_SHEET, MEMBER_COLUMNS)):
            for column in columns:
                required = _("yes") if column.required else ""
                rows.append([sheet, column.title, required, str(column.help), "|".join(column.values)])
        rows += [[] for _i in range(len(self.communities) - len(rows))]
        for index, community in enumerate(self.communities):
            rows[index] = [*rows[index], *[""] * (6 - len(rows[index])), community]
        return rows

    def _cell(self, ws: Any, value: Any, column: Column) -> Any:
        cell = super()._cell(ws, str(value) if isinstance(value, str) else value, column)
        if isinstance(value, _Bold):
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
        elif not isinstance(value, _Note):  # notes overflow into the empty cells to their right
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell


class _Note(str):
    """A line of the notes, left to overflow across the empty cells to its right."""


class _Bold(str):
    """A note cell written in bold (section titles of the 说明 sheet)."""


class ImportTemplateExporter(WorkbookExporter):
    """The import template (see the module docstring). ``communities``: names for the dropdown."""

    def __init__(self, *, communities: Iterable[str] = ()) -> None:
        self.communities = list(dict.fromkeys(communities))

    def sheets(self) -> list[ListExporter]:
        ref = f"'{NOTES_SHEET}'!$G$2:$G${len(self.communities) + 1}" if self.communities else ""
        example_community = self.communities[0] if self.communities else "荔芳社区"
        return [
            TemplateSheet(ORG_SHEET, ORG_COLUMNS, community=example_community, communities_ref=ref),
            TemplateSheet(MEMBER_SHEET, MEMBER_COLUMNS, community=example_community, communities_ref=ref),
            NotesSheet(self.communities),
        ]
