"""The area tree page and adding areas beneath it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sifu.accounts import services
from sifu.accounts.models import Area
from sifu.accounts.tests.factories import make_area
from sifu.registry.tests.factories import make_organization


def test_area_tree_in_scope_with_subtree_counts(client, office_admin, world):
    estate = services.area_create(name="荔芳花园", kind=Area.Kind.ESTATE, parent=world.community_a, by=office_admin)
    make_organization(world.community_a, "荔芳未备案小组")  # proposed, not active
    client.force_login(office_admin)
    rows = client.get(reverse("accounts:area-list")).context["rows"]
    # Tree order, the admin's subdistrict at the top, nothing from the other subdistrict or above.
    assert [(r.area.name, r.level) for r in rows] == [
        ("南山街道", 0),
        ("荔芳社区", 1),
        ("荔芳花园", 2),
        ("南园社区", 1),
    ]
    counts = {r.area.name: (r.organizations, r.active) for r in rows}
    assert counts == {"南山街道": (3, 2), "荔芳社区": (2, 1), "荔芳花园": (0, 0), "南园社区": (1, 1)}
    assert [k.value for k in rows[1].child_kinds] == [Area.Kind.ESTATE, Area.Kind.GRID]
    assert estate.pk == rows[2].area.pk


@pytest.mark.parametrize("communities", [0, 8])
def test_area_tree_query_count_is_fixed(client, office_admin, world, communities, django_assert_num_queries):
    for i in range(communities):
        make_organization(make_area(f"新社区{i}", Area.Kind.COMMUNITY, world.subdistrict))
    client.force_login(office_admin)
    # 1 session, 2 user, 3 viewer's grants, 4 the areas in scope, each with counts of its own organizations
    with django_assert_num_queries(4):
        response = client.get(reverse("accounts:area-list"))
    assert len(response.context["rows"]) == 3 + communities


def test_add_estate_under_community(client, office_admin, world):
    client.force_login(office_admin)
    url = reverse("accounts:area-create") + f"?parent={world.community_a.pk}&kind=estate"
    form = client.get(url).context["form"]
    assert [c[0] for c in form.fields["kind"].choices] == [Area.Kind.ESTATE, Area.Kind.GRID]
    response = client.post(url, {"parent": world.community_a.pk, "kind": "grid", "name": "第三网格", "code": ""})
    assert response.status_code == 302
    grid = Area.objects.get(name="第三网格")
    assert grid.parent == world.community_a and grid.path.startswith(world.community_a.path)
    assert grid.history.get().history_user == office_admin


def test_add_area_refusals(client, office_admin, world):
    client.force_login(office_admin)
    url = reverse("accounts:area-create")
    # A community may not hold a community; the form offers only estate and grid.
    response = client.post(url + f"?parent={world.community_a.pk}", {"kind": "community", "name": "X"})
    assert response.status_code == 400 and "kind" in response.context["form"].errors
    # Duplicate name: the service's message on the form.
    response = client.post(url + f"?parent={world.subdistrict.pk}", {"kind": "community", "name": "荔芳社区"})
    assert response.status_code == 400 and "already exists" in response.content.decode()
    # Outside scope: 404; no parent for a non-superuser: back to the tree.
    assert client.get(url + f"?parent={world.other_subdistrict.pk}").status_code == 404
    assert client.get(url + "?parent=abc").status_code == 302
    assert client.get(url).status_code == 302
    assert not Area.objects.filter(name="X").exists()


def test_grid_has_nothing_beneath(client, office_admin, world):
    grid = services.area_create(name="网格1", kind=Area.Kind.GRID, parent=world.community_a, by=office_admin)
    client.force_login(office_admin)
    response = client.get(reverse("accounts:area-create") + f"?parent={grid.pk}")
    assert response.status_code == 302


def test_superuser_adds_top_level_area(client, db):
    from sifu.accounts.tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    response = client.post(reverse("accounts:area-create"), {"kind": "district", "name": "福田区"})
    assert response.status_code == 302
    assert Area.objects.get(name="福田区").parent is None


@pytest.mark.parametrize("persona", ["community_staff", "org_leader", "district_leader", "outsider"])
def test_area_create_forbidden(client, request, persona, world):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("accounts:area-create") + f"?parent={world.community_a.pk}"
    assert client.post(url, {"kind": "grid", "name": "X"}).status_code == 403
    assert not Area.objects.filter(name="X").exists()
