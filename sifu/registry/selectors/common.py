"""Small query pieces shared by the selector modules."""

from __future__ import annotations

from django.db.models import Case, Q, Value, When

from sifu.registry.models import Membership, Person


def party_q(prefix: str = "") -> Q:
    """Memberships (or rows related through ``prefix``) whose person is a party member."""
    return Q(**{f"{prefix}person__political_status__in": Person.PARTY_STATUSES})


# Leader first, then deputy, backbone, member, volunteer (the order of Membership.Role).
ROLE_RANK = Case(
    *(When(role=role, then=Value(rank)) for rank, role in enumerate(Membership.Role.values)),
    default=Value(len(Membership.Role.values)),
)
