""" "Today" is the office's date (settings.TIME_ZONE, Asia/Shanghai), never the server clock's.

The server may run on UTC: from 16:00 to 24:00 UTC it is already tomorrow in Shanghai. Model
defaults, validators and services take today from ``timezone.localdate()``; the last test keeps
the server-clock spellings out of the sources (ruff's DTZ rules catch the calls, not a default
given as a reference).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sifu.core.validators import id_check_char, normalize_id_number
from sifu.incubation.models import IncubationCase, Need
from sifu.registry.models import Membership, Organization

# 2024-05-01 20:00 UTC is 2024-05-02 04:00 in Shanghai.
EVENING_UTC = dt.datetime(2024, 5, 1, 20, 0, tzinfo=dt.UTC)
SHANGHAI_DAY = dt.date(2024, 5, 2)


@pytest.fixture
def evening_utc(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: EVENING_UTC)
    assert timezone.localdate() == SHANGHAI_DAY


def _id_number(birth: str) -> str:
    first17 = f"440305{birth}001"
    return first17 + id_check_char(first17)


@pytest.mark.parametrize(
    ("model", "field"),
    [(Organization, "status_since"), (Need, "reported_on"), (IncubationCase, "opened_on")],
)
def test_date_defaults_are_the_office_day(evening_utc, model, field):
    assert model._meta.get_field(field).get_default() == SHANGHAI_DAY


def test_membership_is_current_on_the_office_day(evening_utc):
    assert Membership(joined_on=SHANGHAI_DAY).is_current()
    assert not Membership(joined_on=SHANGHAI_DAY + dt.timedelta(days=1)).is_current()


def test_id_number_birth_date_is_checked_against_the_office_day(evening_utc):
    born_today = _id_number(SHANGHAI_DAY.strftime("%Y%m%d"))
    assert normalize_id_number(born_today) == born_today
    with pytest.raises(ValidationError) as exc:
        normalize_id_number(_id_number((SHANGHAI_DAY + dt.timedelta(days=1)).strftime("%Y%m%d")))
    assert exc.value.code == "invalid_id_birth"


ROOT = Path(__file__).resolve().parents[2]
# The server clock's date: a date class's today (called or passed as a default), or now() cut to a date.
SERVER_TODAY = re.compile(r"\bdate(time)?\.today\b|\bnow\(\)\.date\(\)")


def test_no_server_clock_today_in_the_sources():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for folder in ("sifu", "config", "bench", "e2e")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SERVER_TODAY.search(line)
    ]
    assert not offenders, "use timezone.localdate() for today:\n" + "\n".join(offenders)
