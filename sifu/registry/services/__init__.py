"""Writes for the registry, one module per topic. Every write is here; views, API, imports and the
demo call these.

Each function is keyword-only, takes the acting user as ``by``, runs in a transaction, records
history with a dotted action code, and raises ``ValidationError`` with a message a user can act on.

``organizations`` (the profile: create, edit, lock), ``lifecycle`` (the transition services),
``people``, ``memberships`` and ``bulk`` (the same rules over many rows, for large imports);
``_common`` holds the helpers they share. Every public name is re-exported here, so
``from sifu.registry import services`` and ``services.<name>`` work as before the split.
"""

from sifu.registry.services._common import (
    FILING_VALID_YEARS,
    PROFILE_FIELDS,
)
from sifu.registry.services.bulk import (
    BULK_CHUNK,
    Refusal,
    RowsRefused,
    in_chunks,
    memberships_bulk_add_many,
    organizations_bulk_create,
    organizations_bulk_transition,
    person_match_many,
)
from sifu.registry.services.lifecycle import (
    check_uscc_matches,
    filing_valid_until,
    organization_dissolve,
    organization_file,
    organization_make_dormant,
    organization_reactivate,
    organization_register,
    organization_renew_filing,
    organization_start_incubation,
)
from sifu.registry.services.memberships import (
    membership_add,
    membership_change_role,
    membership_end,
    memberships_bulk_add,
    organization_change_leader,
)
from sifu.registry.services.organizations import (
    organization_create,
    organization_lock,
    organization_update,
)
from sifu.registry.services.people import (
    PERSON_FIELDS,
    person_create,
    person_find_or_create,
    person_match,
    person_update,
    persons_bulk_create,
)

__all__ = [
    "BULK_CHUNK",
    "FILING_VALID_YEARS",
    "PERSON_FIELDS",
    "PROFILE_FIELDS",
    "Refusal",
    "RowsRefused",
    "check_uscc_matches",
    "filing_valid_until",
    "in_chunks",
    "membership_add",
    "membership_change_role",
    "membership_end",
    "memberships_bulk_add",
    "memberships_bulk_add_many",
    "organization_change_leader",
    "organization_create",
    "organization_dissolve",
    "organization_file",
    "organization_lock",
    "organization_make_dormant",
    "organization_reactivate",
    "organization_register",
    "organization_renew_filing",
    "organization_start_incubation",
    "organization_update",
    "organizations_bulk_create",
    "organizations_bulk_transition",
    "person_create",
    "person_find_or_create",
    "person_match",
    "person_match_many",
    "person_update",
    "persons_bulk_create",
]
