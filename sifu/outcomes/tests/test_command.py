"""``python manage.py outcomes``: JSON shape and figures, --area, --as-of, errors and exit status."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from sifu.accounts.models import Area
from sifu.accounts.tests.factories import make_area
from sifu.outcomes.management.commands.outcomes import Command

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("outcomes", *args, stdout=out)
    return out.getvalue()


def run_json(*args: str) -> dict:
    return json.loads(run(*args, "--json"))


def exit_status(*args: str, capsys, monkeypatch) -> tuple[str | int | None, str]:
    """Run as from the shell (run_from_argv), returning the exit status and stderr."""
    # run_from_argv closes every connection when done, which would close the test's own (PostgreSQL).
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as info:
        Command().run_from_argv(["manage.py", "outcomes", *args])
    return info.value.code, capsys.readouterr().err


def test_json_shape_and_figures(world, records):
    output = run("--area", "南山街道", "--as-of", "2021-06-30", "--json")
    assert "南山街道" in output  # ensure_ascii=False: Chinese as is, not \\u escapes
    assert output.startswith('{\n  "as_of": "2021-06-30",\n  "area": "南山街道",')  # indent 2, key order
    data = json.loads(output)
    assert list(data) == ["as_of", "area", "from", "organizations", "members", "party", "incubation"]
    assert data["from"] == "2021-01-01"  # the period of the event figures: January 1 of the as-of year
    assert list(data["organizations"]) == ["active", "by_nature", "by_category", "by_legal_status", "by_community"]
    assert list(data["organizations"]["by_category"]) == ["charity", "life", "affairs", "culture"]
    assert list(data["party"]) == [
        "orgs_with_party_members",
        "party_members",
        "party_member_leaders",
        "party_branches",
        "party_clause_in_charter",
    ]
    assert data["organizations"]["active"] == 5
    assert data["organizations"]["by_nature"] == {"association": 2, "service": 3}
    assert data["organizations"]["by_community"] == {"荔芳社区": 3, "南园社区": 2, "登良社区": 0}
    assert data["members"] == {"memberships": 32, "people": 31}
    assert data["party"]["party_members"] == 3


def test_as_of_changes_the_figures(world, records):
    assert run_json("--area", "南园社区", "--as-of", "2022-06-30")["organizations"]["active"] == 1
    assert run_json("--area", "南园社区", "--as-of", "2023-06-30")["organizations"]["active"] == 2


def test_as_of_defaults_to_today_in_shanghai(world, records, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2022, 6, 30))
    data = run_json("--area", "南园社区")
    assert data["as_of"] == "2022-06-30"
    assert data["organizations"]["active"] == 1


def test_area_defaults_to_the_single_root(world, records):
    data = run_json("--as-of", "2021-06-30")
    assert data["area"] == "南山区"
    assert data["organizations"]["active"] == 6  # includes 粤海街道's organization


def test_area_defaults_to_all_when_there_are_several_roots(world, records):
    make_area("福田区", Area.Kind.DISTRICT)
    data = run_json("--as-of", "2021-06-30")
    assert data["area"] == "全部"
    assert data["organizations"]["active"] == 6


def test_area_path_form(world, records):
    assert run_json("--area", "南山区/南山街道", "--as-of", "2021-06-30")["area"] == "南山街道"


def test_unknown_area_lists_near_matches_and_exits_non_zero(world, capsys, monkeypatch):
    code, err = exit_status("--area", "荔芳", "--json", capsys=capsys, monkeypatch=monkeypatch)
    assert code != 0
    assert "No area is called “荔芳”" in err
    assert "荔芳社区" in err
    with pytest.raises(CommandError, match="No area"):
        run("--area", "不存在的地方")


def test_ambiguous_area_asks_for_the_parent(world, capsys, monkeypatch):
    make_area("新村社区", Area.Kind.COMMUNITY, world.subdistrict)
    make_area("新村社区", Area.Kind.COMMUNITY, world.other_subdistrict)
    code, err = exit_status("--area", "新村社区", capsys=capsys, monkeypatch=monkeypatch)
    assert code != 0
    assert "南山区/南山街道/新村社区" in err and "南山区/粤海街道/新村社区" in err
    assert run_json("--area", "粤海街道/新村社区")["area"] == "新村社区"


@pytest.mark.parametrize("bad", ["2024-13-01", "30/04/2024", "yesterday", "2024-02-30"])
def test_bad_date_is_a_clear_error(world, capsys, monkeypatch, bad):
    code, err = exit_status("--as-of", bad, capsys=capsys, monkeypatch=monkeypatch)
    assert code != 0
    assert "YYYY-MM-DD" in err and bad in err


def test_table_output_has_both_languages_from_the_same_figures(world, records):
    table = run("--area", "南山街道", "--as-of", "2021-06-30")
    assert "成效 Outcomes · 南山街道 · 2021-06-30" in table
    rows = [re.split(r"\s{2,}", line.strip()) for line in table.splitlines()]
    lines = {row[0]: row[-1] for row in rows if len(row) == 2}
    assert lines["活跃组织 Active organizations"] == "5"
    assert lines["成员人次 Memberships"] == "32"
    assert lines["成员人数 People"] == "31"
    assert lines["党员 Party members"] == "3"
    assert lines["登良社区"] == "0"
    assert "{" not in table
