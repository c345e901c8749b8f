"""The organization lifecycle: the explicit transition table and the filing floor.

proposed → incubating → (filed) active → (registered) … dormant ⇄ active, any → dissolved.
``legal_status`` moves unfiled → filed → registered. Only ``registry.services`` applies these.
Filing floor (docs/domain.md §2.2, 粤民规字〔2022〕2号): association-type ≥3 initiators and
≥10 members; service-type ≥2 initiators and ≥2 staff; both a proper name and a fixed venue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from sifu.registry.models import Membership, Organization

S = Organization.Status
L = Organization.LegalStatus


@dataclass(frozen=True)
class Transition:
    action: str  # dotted action code recorded in history
    label: StrOrPromise
    from_statuses: frozenset[str]
    to_status: str | None  # None: status unchanged
    from_legal: frozenset[str] | None = None  # None: any legal status


TRANSITIONS: dict[str, Transition] = {
    "start_incubation": Transition(
        "registry.organization.incubation_started",
        gettext_lazy("Start incubation"),
        frozenset({S.PROPOSED}),
        S.INCUBATING,
    ),
    "file": Transition(
        "registry.organization.filed",
        gettext_lazy("Record filing"),
        frozenset({S.PROPOSED, S.INCUBATING}),
        S.ACTIVE,
        frozenset({L.UNFILED}),
    ),
    "register": Transition(
        "registry.organization.registered",
        gettext_lazy("Record registration"),
        frozenset({S.ACTIVE}),
        None,
        frozenset({L.FILED}),
    ),
    "make_dormant": Transition(
        "registry.organization.made_dormant",
        gettext_lazy("Mark dormant"),
        frozenset({S.ACTIVE}),
        S.DORMANT,
    ),
    "reactivate": Transition(
        "registry.organization.reactivated",
        gettext_lazy("Reactivate"),
        frozenset({S.DORMANT, S.DISSOLVED}),
        S.ACTIVE,
        frozenset({L.FILED, L.REGISTERED}),
    ),
    "dissolve": Transition(
        "registry.organization.dissolved",
        gettext_lazy("Dissolve"),
        frozenset({S.PROPOSED, S.INCUBATING, S.ACTIVE, S.DORMANT}),
        S.DISSOLVED,
    ),
}


def allowed_transitions(organization: Organization) -> list[str]:
    return [
        name
        for name, t in TRANSITIONS.items()
        if organization.status in t.from_statuses
        and (t.from_legal is None or organization.legal_status in t.from_legal)
    ]


def transition_problem(organization: Organization, name: str) -> str | None:
    """Why ``name`` is not allowed from the organization's current state, or None."""
    t = TRANSITIONS[name]
    if organization.status not in t.from_statuses:
        return _("“%(action)s” is not possible while the organization is %(status)s.") % {
            "action": t.label,
            "status": organization.get_status_display(),
        }
    if t.from_legal is not None and organization.legal_status not in t.from_legal:
        return _("“%(action)s” is not possible for an organization that is %(legal)s.") % {
            "action": t.label,
            "legal": organization.get_legal_status_display(),
        }
    return None


FLOOR = {
    Organization.Nature.ASSOCIATION: {"initiators": 3, "members": 10},
    Organization.Nature.SERVICE: {"initiators": 2, "members": 2},
}


@dataclass(frozen=True)
class CheckItem:
    code: str
    label: str
    ok: bool
    detail: str = ""


def filing_checklist(organization: Organization, on: dt.date) -> list[CheckItem]:
    """What the filing rules require, each with whether it holds on ``on``. Two queries."""
    current = Membership.objects.filter(organization=organization).current(on)
    non_volunteers = current.exclude(role=Membership.Role.VOLUNTEER)
    members = non_volunteers.count()
    initiators = current.filter(is_initiator=True).count()
    has_leader = current.filter(role=Membership.Role.LEADER).exists()
    floor = FLOOR[Organization.Nature(organization.nature)]
    member_word = _("members") if organization.nature == Organization.Nature.ASSOCIATION else _("staff")
    return [
        CheckItem("name", _("A proper name"), bool(organization.name.strip())),
        CheckItem("venue", _("A fixed venue"), bool(organization.venue.strip())),
        CheckItem(
            "initiators",
            _("At least %(n)d initiators") % {"n": floor["initiators"]},
            initiators >= floor["initiators"],
            _("%(count)d recorded") % {"count": initiators},
        ),
        CheckItem(
            "members",
            _("At least %(n)d %(what)s") % {"n": floor["members"], "what": member_word},
            members >= floor["members"],
            _("%(count)d recorded") % {"count": members},
        ),
        CheckItem("leader", _("A current leader (负责人)"), has_leader),
    ]


def floor_problems(organization: Organization, on: dt.date) -> list[str]:
    return [
        f"{item.label}: {item.detail}" if item.detail else item.label
        for item in filing_checklist(organization, on)
        if not item.ok
    ]
