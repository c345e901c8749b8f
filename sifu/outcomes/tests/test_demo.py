"""The Nanshan demo's figures (issue #2 §7), asserted from the ``outcomes`` command's JSON.

The demo is loaded once for the module inside a transaction rolled back at the end, so other
modules never see it.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

pytestmark = [pytest.mark.demo, pytest.mark.django_db]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    # The incubation demo stores its filing documents: in a temporary MEDIA_ROOT.
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def outcomes(*args: str) -> dict:
    out = io.StringIO()
    call_command("outcomes", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_active_organizations_on_2024_04_30(demo):
    data = outcomes("--area", "南山街道", "--as-of", "2024-04-30")
    orgs = data["organizations"]
    assert (data["as_of"], data["area"]) == ("2024-04-30", "南山街道")
    assert orgs["active"] == 197
    assert orgs["by_nature"] == {"association": 16, "service": 181}
    assert orgs["by_category"] == {"charity": 2, "life": 6, "affairs": 29, "culture": 160}
    assert orgs["by_legal_status"]["registered"] == 6
    assert list(orgs["by_community"]) == [
        f"{name}社区"
        for name in (
            "南园",
            "南山",
            "南光",
            "向南",
            "北头",
            "荔芳",
            "登良",
            "荔林",
            "荔湾",
            "月亮湾",
            "学府",
            "风华",
            "阳光棕榈",
        )
    ]
    assert sum(orgs["by_community"].values()) == 197


def test_active_organizations_on_2019_01_01(demo):
    assert outcomes("--area", "南山街道", "--as-of", "2019-01-01")["organizations"]["active"] == 82


def test_members_and_party_on_2023_12_31(demo):
    data = outcomes("--area", "南山街道", "--as-of", "2023-12-31")
    assert data["members"]["memberships"] == 3883
    party = data["party"]
    assert party["orgs_with_party_members"] == 104
    assert party["party_members"] == 488
    assert party["party_member_leaders"] == 57
    assert party["party_branches"] == 17


def test_community_drill_down_adds_up(demo):
    whole = outcomes("--area", "南山街道", "--as-of", "2024-04-30")
    lifang = outcomes("--area", "荔芳社区", "--as-of", "2024-04-30")
    assert lifang["organizations"]["active"] == whole["organizations"]["by_community"]["荔芳社区"]
    assert lifang["organizations"]["by_community"] == {"荔芳社区": lifang["organizations"]["active"]}
