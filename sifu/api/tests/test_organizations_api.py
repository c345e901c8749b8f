"""/api/v1/: organizations scoped like the office, no personal data, schema valid, docs served locally."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sifu.registry.models import Person
from sifu.registry.tests.factories import make_organization

PHONE = re.compile(r"1[3-9]\d{9}")
ID_NUMBER = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def api():
    return APIClient()


def _names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


def test_anonymous_refused(api, world):
    for url in (
        reverse("api:organization-list"),
        reverse("api:organization-detail", args=[world.org_a.pk]),
        reverse("api:schema"),
        reverse("api:docs"),
    ):
        assert api.get(url).status_code in (401, 403), url


@pytest.mark.parametrize("persona", ["outsider", "org_member", "reviewer"])
def test_without_a_viewing_role_refused(api, request, persona, world):
    api.force_authenticate(request.getfixturevalue(persona))
    assert api.get(reverse("api:organization-list")).status_code == 403


def test_community_staff_sees_only_their_community(api, community_staff, world):
    api.force_authenticate(community_staff)
    response = api.get(reverse("api:organization-list"))
    assert response.status_code == 200
    assert _names(response) == {"荔芳食品安全自治会"}
    assert api.get(reverse("api:organization-detail", args=[world.org_a.pk])).status_code == 200
    assert api.get(reverse("api:organization-detail", args=[world.org_b.pk])).status_code == 404
    assert api.get(reverse("api:organization-detail", args=[world.org_other.pk])).status_code == 404


def test_org_leader_sees_own_organization(api, org_leader, world):
    api.force_authenticate(org_leader)
    assert _names(api.get(reverse("api:organization-list"))) == {"荔芳食品安全自治会"}


def test_office_admin_scope_and_counts(api, office_admin, world):
    api.force_authenticate(office_admin)
    response = api.get(reverse("api:organization-list"))
    data = response.json()
    assert data["count"] == 2 and _names(response) == {"荔芳食品安全自治会", "南园骑手互助会"}
    org_a = next(r for r in data["results"] if r["id"] == world.org_a.pk)
    assert org_a["member_count"] == 12 and org_a["community_name"] == "荔芳社区"
    assert org_a["url"].endswith(reverse("api:organization-detail", args=[world.org_a.pk]))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"nature": "association"}, {"荔芳食品安全自治会"}),
        ({"category": "affairs"}, {"荔芳食品安全自治会"}),
        ({"status": "active"}, {"荔芳食品安全自治会", "南园骑手互助会"}),
        ({"legal_status": "registered"}, set()),
        ({"search": "骑手"}, {"南园骑手互助会"}),
    ],
)
def test_filters(api, office_admin, world, params, expected):
    api.force_authenticate(office_admin)
    assert _names(api.get(reverse("api:organization-list"), params)) == expected


def test_community_filter_cannot_widen_scope(api, office_admin, community_staff, world):
    api.force_authenticate(office_admin)
    assert _names(api.get(reverse("api:organization-list"), {"community": world.community_b.pk})) == {"南园骑手互助会"}
    api.force_authenticate(community_staff)
    assert _names(api.get(reverse("api:organization-list"), {"community": world.community_b.pk})) == set()


def test_bad_filter_value_is_400(api, office_admin, world):
    api.force_authenticate(office_admin)
    response = api.get(reverse("api:organization-list"), {"status": "flying"})
    assert response.status_code == 400 and "status" in response.json()


def test_no_personal_data_in_payloads(api, office_admin, world):
    # The leader of org A has a phone and an ID number on record; none of it may leave through the API.
    people = Person.objects.filter(memberships__organization=world.org_a)
    assert people.exclude(phone=None).exists()
    api.force_authenticate(office_admin)
    payloads = [
        api.get(reverse("api:organization-list")).content.decode(),
        api.get(reverse("api:organization-detail", args=[world.org_a.pk])).content.decode(),
    ]
    for text in payloads:
        assert not PHONE.search(text) and not ID_NUMBER.search(text)
        for person in people:
            assert person.name not in text
    fields = set(json.loads(payloads[1]))
    assert not fields & {"phone", "id_number", "leader", "members", "party_instructor"}


def test_list_query_count_is_fixed(api, office_admin, world, django_assert_num_queries):
    for _ in range(5):
        make_organization(world.community_b, members=2)
    api.force_authenticate(office_admin)
    # 1 viewer's grants, 2 count, 3 the page with community and member counts joined
    with django_assert_num_queries(3):
        response = api.get(reverse("api:organization-list"))
    assert response.json()["count"] == 7


def test_token_authentication(api, district_leader, world):
    token = Token.objects.create(user=district_leader)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get(reverse("api:organization-list"))
    assert response.status_code == 200 and response.json()["count"] == 3
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get(reverse("api:organization-list")).status_code in (401, 403)


def test_schema_is_valid_without_warnings(db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_schema_and_docs_served_locally(client, office_admin):
    client.force_login(office_admin)
    schema = client.get(reverse("api:schema"), {"format": "json"})
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/organizations/" in paths and "/api/v1/organizations/{id}/" in paths
    docs = client.get(reverse("api:docs"))
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not re.search(r"https?://(?!testserver)", html), "no CDN or external URL"
    assert not re.search(r"<script>", html), "no inline script: the UI's set-up script is a separate file"
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
