"""What the file says, row by row, once checked; and what the import did (its summary)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sifu.core.spreadsheets import SheetRow
from sifu.registry.imports.vocabulary import LEGAL_STATUSES, STATUSES, word_for
from sifu.registry.models import Organization, Person

OrgKey = tuple[int, str]  # (community pk, organization name)


@dataclass
class OrgPlan:
    """One row of the 组织 sheet and the organization it means (``existing``: already recorded)."""

    row: SheetRow
    existing: Organization | None
    org: Organization | None = None
    outcome: str = ""  # created / updated / unchanged

    @property
    def key(self) -> OrgKey:
        return (self.row.data["community"].pk, self.row.data["name"])


@dataclass(eq=False)
class FilePerson:
    """One person as the file describes them, across all their rows."""

    name: str
    first_row: SheetRow
    phone: str = ""
    id_number: str = ""
    political_status: str | None = None
    match: Person | None = None  # already in the registry
    person: Person | None = None  # after writing


@dataclass
class MemberPlan:
    row: SheetRow
    person: FilePerson
    org_key: OrgKey


OUTCOME_LABELS = {
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
    "unchanged": gettext_lazy("Unchanged"),
}
PLANNED_LABELS = {  # the same, in a dry run
    "created": gettext_lazy("To create"),
    "updated": gettext_lazy("To update"),
    "unchanged": gettext_lazy("Unchanged"),
}


@dataclass(frozen=True)
class OrgOutcome:
    """What happened to one organization of the 组织 sheet; ``pk`` is None in a dry run."""

    name: str
    community: str
    outcome: str  # "created" | "updated" | "unchanged"
    status: str
    legal_status: str
    pk: int | None

    @property
    def status_word(self) -> str:
        return word_for(STATUSES, self.status)

    @property
    def legal_word(self) -> str:
        return word_for(LEGAL_STATUSES, self.legal_status)

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS.get(self.outcome, self.outcome))

    @property
    def planned_label(self) -> str:
        return str(PLANNED_LABELS.get(self.outcome, self.outcome))

    @property
    def status_label(self) -> str:
        return str(Organization.Status(self.status).label)


@dataclass
class ImportSummary:
    organizations_created: int = 0
    organizations_updated: int = 0
    organizations_unchanged: int = 0
    people_created: int = 0
    people_matched: int = 0  # found in the registry
    people_updated: int = 0  # of the matched ones, those whose phone, ID or 政治面貌 changed
    memberships_created: int = 0
    memberships_updated: int = 0
    memberships_unchanged: int = 0
    organizations: list[OrgOutcome] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.organizations_created
            + self.organizations_updated
            + self.people_created
            + self.people_updated
            + self.memberships_created
            + self.memberships_updated
        )

    def lines(self) -> list[str]:
        return [
            _("Organizations: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
            % {
                "created": self.organizations_created,
                "updated": self.organizations_updated,
                "unchanged": self.organizations_unchanged,
            },
            _("People: %(created)d created, %(matched)d matched (%(updated)d of them updated)")
            % {"created": self.people_created, "matched": self.people_matched, "updated": self.people_updated},
            _("Memberships: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
            % {
                "created": self.memberships_created,
                "updated": self.memberships_updated,
                "unchanged": self.memberships_unchanged,
            },
        ]
