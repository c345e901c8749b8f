import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sifu.accounts.services import system_actor
from sifu.registry import services
from sifu.registry.models import Organization
from sifu.registry.tests.factories import make_organization


def test_world_builds(world):
    assert world.org_a.status == Organization.Status.ACTIVE
    assert world.org_a.legal_status == Organization.LegalStatus.FILED


def test_association_below_floor_cannot_file(world):
    org = make_organization(world.community_a, nature=Organization.Nature.ASSOCIATION, members=5)
    with pytest.raises(ValidationError) as exc:
        services.organization_file(
            organization=org, filing_number="X-1", filed_on=dt.date(2020, 2, 1), by=system_actor()
        )
    assert "10" in str(exc.value)
    org.refresh_from_db()
    assert org.status == Organization.Status.PROPOSED
