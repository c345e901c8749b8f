"""What an organization still lacks before it can be filed (备案), derived from the rules.

The registry's filing floor (``registry.lifecycle.filing_checklist``: name, venue, initiators and
members for its nature, a leader) plus what the Guangdong rules and the case study ask of a
newly incubated organization (docs/domain.md §2.2; case study 二(一) 植入红色基因孵化):
a charter on file that writes party building in (党建入章), leader-election rules (负责人选举制度),
democratic-deliberation rules (民主议事制度), and party members recommended among its members.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from sifu.registry.models import Organization
from sifu.registry.selectors import CheckItem, filing_checklist, party_members_count


def incubation_checklist(organization: Organization, on: dt.date) -> list[CheckItem]:
    """Every filing requirement with whether it holds on ``on``. Three queries."""
    items = filing_checklist(organization, on)
    party_members = party_members_count(organization, on)
    charter = bool(organization.charter_file)
    items += [
        CheckItem("charter", _("A charter on file"), charter),
        CheckItem(
            "party_clause",
            _("Party building written into the charter (党建入章)"),
            charter and organization.party_clause_in_charter,
        ),
        CheckItem("election_rules", _("Leader election rules (负责人选举制度)"), organization.election_rules_adopted),
        CheckItem(
            "deliberation_rules",
            _("Democratic deliberation rules (民主议事制度)"),
            organization.deliberation_rules_adopted,
        ),
        CheckItem(
            "party_members",
            _("Party members among the members"),
            party_members > 0,
            _("%(count)d recorded") % {"count": party_members},
        ),
    ]
    return items


def missing(organization: Organization, on: dt.date) -> list[str]:
    """The unmet items, each as a sentence a user can act on (empty when ready to file)."""
    return [
        f"{item.label}: {item.detail}" if item.detail else item.label
        for item in incubation_checklist(organization, on)
        if not item.ok
    ]
