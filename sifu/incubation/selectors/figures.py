"""Incubation figures (issue #3 point 8): the ``incubation`` object of ``outcomes --json`` and the dashboard.

Period semantics. Figures about events count those of the period ``start``–``end`` (both days
included, in Asia/Shanghai): filings approved, conversions to registration, days from need to
filing. Figures about states (needs, cases, open filings) are the records' current state, among
those recorded by ``end``; "overdue" compares each open filing's due date with ``end``. With the
default ``end`` (today) every figure is the one the office sees now.

Needs are counted as on the gap map (``selectors.gaps``): open = not served (in incubation or a
gap); a gap is an open need no organization serves or is being incubated for, and no open case holds.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from sifu.accounts.models import Area
from sifu.incubation.models import Filing, IncubationCase, Need
from sifu.incubation.selectors.gaps import need_counts
from sifu.registry.selectors import registrations_between

# The keys of the ``incubation`` object, in order.
FIGURE_KEYS = (
    "needs_open",
    "needs_served",
    "gaps",
    "cases_by_stage",
    "filings_pending",
    "filings_overdue",
    "filed_in_period",
    "conversions_to_registered",
    "median_days_need_to_filing",
)
# Open filing requests, split by status: submitted, prechecked, returned.
PENDING_STATUSES: tuple[str, ...] = tuple(status.value for status in Filing.OPEN_STATUSES)


def stage_labels() -> list[tuple[str, str]]:
    """The case stages and their labels, in the order of ``cases_by_stage``."""
    return [(value, str(label)) for value, label in IncubationCase.Stage.choices]


def pending_labels() -> list[tuple[str, str]]:
    """The open filing statuses and their labels, in the order of ``filings_pending``."""
    return [(status, str(Filing.Status(status).label)) for status in PENDING_STATUSES]


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes from ``start`` 00:00 to the midnight after ``end`` in the site's time zone."""
    tz = timezone.get_default_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _in_area(qs: QuerySet[Any], field: str, area: Area | None) -> QuerySet[Any]:
    return qs.filter(**{f"{field}__path__startswith": area.path}) if area is not None else qs


def median_days(rows: list[tuple[dt.datetime, dt.date]]) -> float | int | None:
    """Median of the days between each first need and its approval (a whole number when it is one)."""
    tz = timezone.get_default_timezone()
    days = [(decided.astimezone(tz).date() - first_need).days for decided, first_need in rows]
    if not days:
        return None
    value = statistics.median(days)
    return int(value) if float(value).is_integer() else round(float(value), 1)


def incubation_figures(*, start: dt.date, end: dt.date, area: Area | None) -> dict[str, Any]:
    """The incubation figures of ``area`` (None: everywhere) for the period ``start``–``end``, in five
    queries whatever the number of records:

    1. needs recorded by ``end``: open, served, gaps (one row of conditional counts)
    2. cases opened by ``end`` GROUP BY stage
    3. filings submitted by ``end``: open ones by status, overdue, first filings approved in the period
    4. first filings approved in the period through a case: approval time and the case's earliest need
    5. conversions to registration effective in the period (registry's lifecycle log)
    """
    period_start, period_end = day_bounds(start, end)

    needs = _in_area(Need.objects.filter(reported_on__lte=end), "community", area)
    need_row = needs.aggregate(**need_counts())

    cases = _in_area(IncubationCase.objects.filter(opened_on__lte=end), "organization__community", area)
    stages = dict(cases.order_by().values_list("stage").annotate(n=Count("pk")))

    filings = _in_area(Filing.objects.filter(submitted_at__lt=period_end), "organization__community", area)
    approved_in_period = Q(
        kind=Filing.Kind.INITIAL,
        status=Filing.Status.APPROVED,
        decided_at__gte=period_start,
        decided_at__lt=period_end,
    )
    filing_row = filings.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in PENDING_STATUSES},
        overdue=Count("pk", filter=Filing.overdue_q(end)),
        filed=Count("pk", filter=approved_in_period),
    )

    through_case = (
        filings.filter(approved_in_period)
        .order_by()
        .values("pk", "decided_at")
        .annotate(first_need=Min("organization__incubation_case__needs__reported_on"))
        .filter(first_need__isnull=False)
        .values_list("decided_at", "first_need")
    )

    return {
        "needs_open": need_row["open"],
        "needs_served": need_row["served"],
        "gaps": need_row["gaps"],
        "cases_by_stage": {stage: stages.get(stage, 0) for stage in IncubationCase.Stage.values},
        "filings_pending": {status: filing_row[status] for status in PENDING_STATUSES},
        "filings_overdue": filing_row["overdue"],
        "filed_in_period": filing_row["filed"],
        "conversions_to_registered": registrations_between(start, end, area=area),
        "median_days_need_to_filing": median_days(list(through_case)),
    }
