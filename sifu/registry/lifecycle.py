"""The organization lifecycle: the explicit transition table and the filing floor.

proposed → incubating → (filed) active → (registered) … dormant ⇄ active, any → dissolved.
``legal_status`` moves unfiled → filed → registered. Only ``registry.services`` applies these.
Filing floor (docs/domain.md §2.2, 粤民规字〔2022〕2号): association-type ≥3 initiators and
≥10 members; service-type ≥2 initiators and ≥2 staff; both a proper name and a fixed venue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sifu.core.permissions import Perm
from sifu.core.workflow import Action, Workflow
from sifu.registry.models import Membership, Organization

S = Organization.Status
L = Organization.LegalStatus


@dataclass(frozen=True)
class Transition(Action):
    """A lifecycle action; ``action``, ``from_statuses`` and ``to_status`` are its older names."""

    @property
    def action(self) -> str:
        return self.history

    @property
    def from_statuses(self) -> frozenset[str]:
        return frozenset(self.sources)

    @property
    def to_status(self) -> str | None:
        return self.target


def _legal(name: str, *allowed: str) -> Any:
    """A guard: transition ``name`` needs one of these legal statuses."""

    def guard(org: Organization, user: Any) -> str | None:
        if org.legal_status in allowed:
            return None
        return _("“%(action)s” is not possible for an organization that is %(legal)s.") % {
            "action": ORGANIZATION_FLOW.actions[name].label,
            "legal": org.get_legal_status_display(),
        }

    return guard


def _ends_filed(org: Organization) -> tuple[str, ...]:
    """Staff dissolve directly only what was never filed; a filed or registered organization ends by a
    deregistration request (注销) that the subdistrict approves."""
    if org.legal_status == L.UNFILED:
        return (Perm.ORG_TRANSITION,)
    return (Perm.ORG_TRANSITION, Perm.FILING_DECIDE)


ORGANIZATION_FLOW = Workflow(
    model=Organization,
    field="status",
    markers=("legal_status",),
    actions=[
        Transition(
            "start_incubation",
            gettext_lazy("Start incubation"),
            sources={S.PROPOSED},
            target=S.INCUBATING,
            perm=Perm.ORG_TRANSITION,
            history="registry.organization.incubation_started",
        ),
        Transition(
            "file",
            gettext_lazy("Record filing"),
            sources={S.PROPOSED, S.INCUBATING},
            target=S.ACTIVE,
            # Recording a filing directly is for paper filings made before the platform: the subdistrict's.
            perm=(Perm.FILING_DECIDE, Perm.ORG_TRANSITION),
            history="registry.organization.filed",
            guards=[_legal("file", L.UNFILED)],
            denied={
                Perm.FILING_DECIDE: gettext_lazy(
                    "Only the subdistrict records a filing; submit a filing request instead."
                )
            },
        ),
        Transition(
            "register",
            gettext_lazy("Record registration"),
            sources={S.ACTIVE},
            target=None,
            perm=Perm.ORG_TRANSITION,
            history="registry.organization.registered",
            guards=[_legal("register", L.FILED)],
        ),
        Transition(
            "make_dormant",
            gettext_lazy("Mark dormant"),
            sources={S.ACTIVE},
            target=S.DORMANT,
            perm=Perm.ORG_TRANSITION,
            history="registry.organization.made_dormant",
        ),
        Transition(
            "reactivate",
            gettext_lazy("Reactivate"),
            sources={S.DORMANT, S.DISSOLVED},
            target=S.ACTIVE,
            perm=Perm.ORG_TRANSITION,
            history="registry.organization.reactivated",
            guards=[_legal("reactivate", L.FILED, L.REGISTERED)],
        ),
        Transition(
            "dissolve",
            gettext_lazy("Dissolve"),
            sources={S.PROPOSED, S.INCUBATING, S.ACTIVE, S.DORMANT},
            target=S.DISSOLVED,
            perm=_ends_filed,
            history="registry.organization.dissolved",
            denied={
                Perm.FILING_DECIDE: gettext_lazy(
                    "A filed or registered organization ends by a deregistration request (注销); submit one instead."
                )
            },
        ),
    ],
    state_message=gettext_lazy("“%(action)s” is not possible while the organization is %(status)s."),
    stale_message=gettext_lazy(
        "This organization changed since you opened the page: it is now %(status)s. Reload the page to see it."
    ),
    denied=gettext_lazy("You cannot change the status of this organization."),
)

# name → action, for the pages, the figures and the tests that read the table.
TRANSITIONS: dict[str, Transition] = ORGANIZATION_FLOW.actions  # type: ignore[assignment]  # all are Transitions


def allowed_transitions(organization: Organization) -> list[str]:
    """The transitions the organization's state allows (status and legal status), whoever asks."""
    return [name for name in TRANSITIONS if ORGANIZATION_FLOW.problem(organization, name) is None]


def transition_problem(organization: Organization, name: str) -> str | None:
    """Why ``name`` is not allowed from the organization's current state, or None."""
    return ORGANIZATION_FLOW.problem(organization, name)


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
