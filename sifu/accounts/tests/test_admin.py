"""/admin/ is for superusers only (DESIGN.md §1), with every row's history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sifu.accounts.tests.factories import UserFactory


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_staff_without_superuser_refused(client, office_admin):
    office_admin.is_staff = True
    office_admin.save()
    client.force_login(office_admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_superuser_sees_models_and_history(client, root, office_admin, world):
    client.force_login(root)
    index = client.get(reverse("admin:index")).content.decode()
    for model in ("user", "area", "rolegrant", "organization", "person", "membership"):
        assert f"/admin/{'accounts' if model in ('user', 'area', 'rolegrant') else 'registry'}/{model}/" in index
    for name, args in [
        ("admin:accounts_user_changelist", []),
        ("admin:accounts_user_change", [office_admin.pk]),
        ("admin:accounts_user_history", [office_admin.pk]),
        ("admin:accounts_rolegrant_changelist", []),
        ("admin:accounts_area_changelist", []),
        ("admin:registry_organization_changelist", []),
        ("admin:registry_organization_history", [world.org_a.pk]),
        ("admin:registry_person_changelist", []),
        ("admin:privacy_sensitiveview_changelist", []),
        ("admin:registry_organizationstatuschange_changelist", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name


def test_no_deletes_in_admin(client, root, org_leader, world):
    client.force_login(root)
    assert client.get(reverse("admin:registry_organization_delete", args=[world.org_a.pk])).status_code == 403
    grant = org_leader.grants.get()
    assert client.get(reverse("admin:accounts_rolegrant_delete", args=[grant.pk])).status_code == 403
