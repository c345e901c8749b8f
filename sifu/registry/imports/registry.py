"""``RegistryImport``: the two-sheet registry workbook, checked in full, then written all or nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from sifu.accounts.models import User
from sifu.core.permissions import Perm, scope_for
from sifu.core.spreadsheets import ImportResult, SheetImporter, SheetSpec
from sifu.core.spreadsheets.importer import Progress
from sifu.registry.imports.checks import RegistryChecks
from sifu.registry.imports.forms import CommunityDirectory, MemberRowForm, OrganizationRowForm
from sifu.registry.imports.vocabulary import MEMBER_COLUMNS, MEMBER_SHEET, ORG_COLUMNS, ORG_SHEET
from sifu.registry.imports.writes import RegistryWrites

_EXAMPLE = re.compile(r"^[（(]?示例[）)：:]")


class RegistryImport(RegistryChecks, RegistryWrites, SheetImporter):
    """Organizations (sheet 组织) and their members (sheet 成员) from one .xlsx workbook.

    ``RegistryImport(by=user).run(source, dry_run=False) -> ImportResult``; ``source`` is a path,
    bytes or a binary file. ``by`` is the acting user, or the system actor (the command line
    without --user), which may import into every community. A user needs ``Perm.ORG_IMPORT``
    (PermissionDenied otherwise) and can only import into the communities of their scope. Either
    sheet may be missing (with a warning).
    """

    sheets = (
        SheetSpec(ORG_SHEET, ORG_COLUMNS, OrganizationRowForm, required=False, max_rows=20_000),
        # Three or more members per organization: a full subdistrict's roll fits in one file.
        SheetSpec(MEMBER_SHEET, MEMBER_COLUMNS, MemberRowForm, required=False, max_rows=60_000),
    )

    def __init__(self, *, by: User) -> None:
        super().__init__()
        self.by = by
        self.today = timezone.localdate()
        self.org_plans, self.member_plans, self.people, self.registry_orgs = [], [], [], {}

    def before_run(self) -> None:
        if not self.by.has_perm(Perm.ORG_IMPORT):
            raise PermissionDenied(_("You may not import the registry."))
        self.scope = scope_for(self.by, Perm.ORG_IMPORT)
        self.communities = CommunityDirectory(self.scope)
        self.examples_skipped = 0

    def run(
        self, source: str | bytes | IO[bytes] | Any, *, dry_run: bool = False, progress: Progress | None = None
    ) -> ImportResult:
        result = super().run(source, dry_run=dry_run, progress=progress)
        if self.examples_skipped:
            result.warnings.insert(
                0, _("%(n)d example rows (组织名称 starting with “示例”) were skipped.") % {"n": self.examples_skipped}
            )
        return result

    def form_kwargs(self, spec: SheetSpec) -> dict[str, Any]:
        return {"communities": self.communities} if spec.name == ORG_SHEET else {}

    def skip_row(self, spec: SheetSpec, values: Mapping[str, Any]) -> bool:
        first = values.get("name" if spec.name == ORG_SHEET else "organization")
        if isinstance(first, str) and _EXAMPLE.match(first.strip()):
            self.examples_skipped += 1
            return True
        return False
