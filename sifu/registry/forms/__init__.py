"""Forms of the registry's office pages, one module per topic.

Forms only parse and check input; writes go through ``registry.services``. When a service
refuses (``ValidationError``), the view hands the error to ``add_service_error`` so the message
appears next to the field it concerns, or above the form.

``organizations`` (filters, create, profile edit), ``transitions`` (the lifecycle forms),
``directory`` (the public directory's filters), ``people`` and ``memberships``. Every public name
is re-exported here, so ``from sifu.registry.forms import ...`` works as before the split.
"""

from sifu.registry.forms.directory import (
    DirectoryFilterForm,
)
from sifu.registry.forms.memberships import (
    NON_LEADER_ROLES,
    LeaderForm,
    MembershipAddForm,
    MembershipEndForm,
    MembershipRoleForm,
)
from sifu.registry.forms.organizations import (
    ORGANIZATION_WIDGETS,
    YES_NO,
    CharterInput,
    OrganizationCreateForm,
    OrganizationEditForm,
    OrganizationFilterForm,
    PersonChoiceField,
)
from sifu.registry.forms.people import (
    GENDER_CHOICES,
    IdentifierFieldsMixin,
    NewPersonFields,
    PersonFilterForm,
    PersonForm,
)
from sifu.registry.forms.transitions import (
    TRANSITION_FORMS,
    DateForm,
    FilingForm,
    OptionalReasonForm,
    ReasonForm,
    RegistrationForm,
)

__all__ = [
    "GENDER_CHOICES",
    "NON_LEADER_ROLES",
    "ORGANIZATION_WIDGETS",
    "TRANSITION_FORMS",
    "YES_NO",
    "CharterInput",
    "DateForm",
    "DirectoryFilterForm",
    "FilingForm",
    "IdentifierFieldsMixin",
    "LeaderForm",
    "MembershipAddForm",
    "MembershipEndForm",
    "MembershipRoleForm",
    "NewPersonFields",
    "OptionalReasonForm",
    "OrganizationCreateForm",
    "OrganizationEditForm",
    "OrganizationFilterForm",
    "PersonChoiceField",
    "PersonFilterForm",
    "PersonForm",
    "ReasonForm",
    "RegistrationForm",
]
