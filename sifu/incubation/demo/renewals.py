"""Which filings the demo renews, and when: decided in memory, deterministically for a given day.

The registry demo files organizations from 2015 on, each valid three years, so on the day the
demo is loaded most filings would have ended. Real offices renew (续期) on time: renewal opens 30
days before a filing ends (``EXPIRY_WARNING_DAYS``); the organization submits, the community checks,
the subdistrict approves, and the filing runs three more years from the old end. The demo renews
every active, filed organization that way, from its first filing up to today, except:

- ``LAPSED`` organizations stopped renewing some months ago: their filing has ended (flagged);
- the organizations whose filing ends within 30 days are left in the window (renewal offered);
  ``PENDING`` of them have a renewal request in progress. When too few are in the window on the
  day, a few others renewed late once, three years ago, which puts their end in it;
- an organization does not renew while dormant: it renews once reactivated.

Each organization's steps are spread by a per-name offset, so timelines read naturally.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field

from sifu.registry.selectors import EXPIRY_WARNING_DAYS
from sifu.registry.services import filing_valid_until

LAPSED = 3
PENDING = 2
EXPIRING = (3, 5)  # at least, at most organizations left in the window without a request
LATE_TARGETS = (6, 11, 16, 21, 26)  # days ahead: where a late renewal three years ago puts the end
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class OrgFiling:
    pk: int
    name: str
    valid_until: dt.date  # as filed
    protected: bool = False  # the stories and the demo login's organization: always renewed
    dormant: tuple[tuple[dt.date, dt.date], ...] = ()  # (dormant from, reactivated on)


@dataclass(frozen=True)
class Renewal:
    pk: int
    submitted: dt.date
    prechecked: dt.date
    approved: dt.date


@dataclass
class RenewalPlan:
    renewals: list[Renewal] = field(default_factory=list)  # completed ones, by approval date
    pending: list[tuple[int, int, int | None]] = field(default_factory=list)  # pk, days ago submitted, prechecked
    expiring: list[int] = field(default_factory=list)
    lapsed: list[int] = field(default_factory=list)
    valid_until: dict[int, dt.date] = field(default_factory=dict)  # each organization's end afterwards


def _offset(name: str, low: int, high: int) -> int:
    return low + zlib.crc32(name.encode()) % (high - low + 1)


def renewed_until(until: dt.date, renewed_on: dt.date) -> dt.date:
    """registry.services.organization_renew_filing's rule: on time, three years from the old end;
    late, three years from the renewal."""
    return filing_valid_until(until + DAY if renewed_on <= until else renewed_on)


def _steps(pk: int, submitted: dt.date) -> Renewal:
    return Renewal(pk, submitted, submitted + 2 * DAY, submitted + 5 * DAY)


def _chain(org: OrgFiling, today: dt.date, stop: dt.date | None = None) -> tuple[list[Renewal], dt.date]:
    """On-time renewals while their steps fit before today (and, with ``stop``, until the filing
    would end on or after ``stop``); the renewals and the end they lead to."""
    done: list[Renewal] = []
    until = org.valid_until
    while until - EXPIRY_WARNING_DAYS * DAY <= today and (stop is None or until < stop):
        submitted = until - _offset(org.name, 8, 25) * DAY
        back = next((end for start, end in org.dormant if start <= submitted < end), None)
        if back is not None:  # dormant then: it renews once reactivated
            submitted = back + _offset(org.name, 10, 30) * DAY
        step = _steps(org.pk, submitted)
        if step.approved >= today:
            break
        done.append(step)
        until = renewed_until(until, step.approved)
    return done, until


def _lapse_day(org: OrgFiling, today: dt.date) -> dt.date | None:
    """The end of the organization's filing between 330 and 45 days ago, renewing on time before it."""
    until = org.valid_until
    while until < today - 330 * DAY:
        until = filing_valid_until(until + DAY)
    return until if until <= today - 45 * DAY else None


def plan_renewals(orgs: list[OrgFiling], today: dt.date) -> RenewalPlan:
    plan = RenewalPlan()
    orgs = sorted(orgs, key=lambda o: (o.valid_until, o.name))
    free = [o for o in orgs if not o.protected and not o.dormant]

    lapsing = sorted(((day, o) for o in free if (day := _lapse_day(o, today))), key=lambda p: (p[0], p[1].name))
    picks = sorted({round(i * (len(lapsing) - 1) / (LAPSED - 1)) for i in range(LAPSED)}) if lapsing else []
    lapsed = {lapsing[i][1].pk: lapsing[i][0] for i in picks}

    schedules: dict[int, list[Renewal]] = {}
    until: dict[int, dt.date] = {}
    for org in orgs:
        schedules[org.pk], until[org.pk] = _chain(org, today, stop=lapsed.get(org.pk))
    window = [o for o in orgs if o.pk not in lapsed and until[o.pk] - EXPIRY_WARNING_DAYS * DAY <= today]

    # Too few in the window today: others renewed late once, three years ago, ending in the window now.
    missing = PENDING + EXPIRING[0] - sum(not o.protected for o in window)
    assert len(LATE_TARGETS) >= PENDING + EXPIRING[0]
    taken = {o.pk for o in window} | set(lapsed)
    for days in LATE_TARGETS[: max(missing, 0)]:
        try:  # renewed on this day, a filing ends ``days`` from today
            day = today + (days + 1) * DAY
            renewed_on = day.replace(year=day.year - 3)
        except ValueError:  # 29 February
            continue
        for org in free:
            if org.pk in taken:
                continue
            chain, lapsed_end = _chain(org, today, stop=renewed_on - 150 * DAY)
            if not lapsed_end < renewed_on - 5 * DAY:
                continue
            schedules[org.pk] = [*chain, Renewal(org.pk, renewed_on - 5 * DAY, renewed_on - 3 * DAY, renewed_on)]
            until[org.pk] = renewed_until(lapsed_end, renewed_on)
            window.append(org)
            taken.add(org.pk)
            break

    # In the window: two requests in progress, a few left waiting, the others renewed early this week.
    window.sort(key=lambda o: (until[o.pk], o.name))
    for org in window:
        opens = until[org.pk] - EXPIRY_WARNING_DAYS * DAY
        if not org.protected and len(plan.pending) < PENDING and opens <= today - 3 * DAY:
            plan.pending.append((org.pk, 3 - len(plan.pending), 1 if not plan.pending else None))
        elif not org.protected and len(plan.expiring) < EXPIRING[1]:
            plan.expiring.append(org.pk)
        elif opens <= today - 3 * DAY:  # renewed early, in the days since the window opened
            submitted = max(opens, today - 7 * DAY)
            early = Renewal(org.pk, submitted, submitted + DAY, submitted + 2 * DAY)
            schedules[org.pk].append(early)
            until[org.pk] = renewed_until(until[org.pk], early.approved)
        else:
            plan.expiring.append(org.pk)
    plan.lapsed = [o.pk for o in orgs if o.pk in lapsed]
    plan.renewals = sorted((r for rs in schedules.values() for r in rs), key=lambda r: (r.approved, r.pk))
    plan.valid_until = until
    return plan
