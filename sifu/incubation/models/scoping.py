"""What the organization-bound incubation models share: their scope key and their ``for_user``."""

from __future__ import annotations

from django.db import models

from sifu.core.permissions import scope_for
from sifu.registry.models import Organization


def _org_scope(organization: Organization) -> tuple[str | None, int | None]:
    return organization.community.path, organization.pk


class OrganizationScopedQuerySet[M: models.Model](models.QuerySet[M]):
    """Rows that belong to one organization (``organization`` FK): in scope where the organization is."""

    def for_user(self, user: object, perm: str) -> OrganizationScopedQuerySet[M]:
        return self.filter(scope_for(user, perm).q("organization__community__path", "organization_id"))  # type: ignore[arg-type]
