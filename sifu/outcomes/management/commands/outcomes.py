"""``python manage.py outcomes [--area NAME] [--as-of YYYY-MM-DD] [--from YYYY-MM-DD] [--json]``

Prints the outcome figures computed from the records at a date (issue #2 §7): as JSON with
``--json``, else as a table with Chinese and English labels. Both come from the same dict,
``sifu.outcomes.selectors.outcomes``. Figures about events in the ``incubation`` object (filed in
the period, conversions to registration, median days from need to filing) count the period from
``--from`` (default: January 1 of the ``--as-of`` year) to ``--as-of``.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sifu.accounts.models import Area
from sifu.outcomes.selectors import AreaLookupError, default_area, find_area, outcomes

# (section, key) → (Chinese, English). by_community rows are labelled by the community's name.
LABELS: dict[tuple[str, ...], tuple[str, str]] = {
    ("organizations",): ("组织", "Organizations"),
    ("organizations", "active"): ("活跃组织", "Active organizations"),
    ("organizations", "by_nature"): ("按组织性质", "By nature"),
    ("organizations", "by_nature", "association"): ("社团型", "Association-type"),
    ("organizations", "by_nature", "service"): ("民非型", "Service-type"),
    ("organizations", "by_category"): ("按功能类别", "By category"),
    ("organizations", "by_category", "charity"): ("公益慈善", "Charity"),
    ("organizations", "by_category", "life"): ("生活服务", "Life services"),
    ("organizations", "by_category", "affairs"): ("社区事务", "Community affairs"),
    ("organizations", "by_category", "culture"): ("文体活动", "Culture and sports"),
    ("organizations", "by_legal_status"): ("按登记状态", "By legal status"),
    ("organizations", "by_legal_status", "filed"): ("备案", "Filed"),
    ("organizations", "by_legal_status", "registered"): ("登记", "Registered"),
    ("organizations", "by_community"): ("按社区", "By community"),
    ("members",): ("成员", "Members"),
    ("members", "memberships"): ("成员人次", "Memberships"),
    ("members", "people"): ("成员人数", "People"),
    ("party",): ("党建", "Party building"),
    ("party", "orgs_with_party_members"): ("有党员的组织", "Organizations with party members"),
    ("party", "party_members"): ("党员", "Party members"),
    ("party", "party_member_leaders"): ("党员负责人", "Party-member leaders"),
    ("party", "party_branches"): ("党支部", "Party branches"),
    ("party", "party_clause_in_charter"): ("党建入章", "Party clause in charter"),
    ("incubation",): ("孵化", "Incubation"),
    ("incubation", "needs_open"): ("未满足的需求", "Open needs"),
    ("incubation", "needs_served"): ("已满足的需求", "Needs served"),
    ("incubation", "gaps"): ("缺口(无人服务的需求)", "Gaps"),
    ("incubation", "cases_by_stage"): ("孵化项目(按阶段)", "Incubation cases by stage"),
    ("incubation", "cases_by_stage", "preparing"): ("筹备", "Preparing"),
    ("incubation", "cases_by_stage", "incubating"): ("孵化中", "Incubating"),
    ("incubation", "cases_by_stage", "filing"): ("备案审核中", "Filing under review"),
    ("incubation", "cases_by_stage", "filed"): ("已备案", "Filed"),
    ("incubation", "cases_by_stage", "closed"): ("已结束", "Closed"),
    ("incubation", "filings_pending"): ("办理中的备案申请", "Open filing requests"),
    ("incubation", "filings_pending", "submitted"): ("待社区初审", "Awaiting community check"),
    ("incubation", "filings_pending", "prechecked"): ("待街道审核", "Awaiting subdistrict review"),
    ("incubation", "filings_pending", "returned"): ("退回修改", "Returned for changes"),
    ("incubation", "filings_overdue"): ("逾期未审", "Overdue"),
    ("incubation", "filed_in_period"): ("期内备案", "Filed in the period"),
    ("incubation", "conversions_to_registered"): ("期内转登记", "Converted to registration in the period"),
    ("incubation", "median_days_need_to_filing"): ("需求到备案天数(中位数)", "Median days from need to filing"),
}
LABELLED_SECTIONS = ("organizations", "members", "party", "incubation")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _label(key: tuple[str, ...]) -> str:
    zh, en = LABELS.get(key, (key[-1], ""))
    return f"{zh} {en}".strip()


def render_table(data: dict[str, Any]) -> str:
    """The figures as an indented two-column table with Chinese and English labels."""
    lines: list[tuple[int, str, str]] = []

    def walk(node: dict[str, Any], key: tuple[str, ...], depth: int) -> None:
        for name, value in node.items():
            sub = (*key, name)
            if isinstance(value, dict):
                lines.append((depth, _label(sub), ""))
                walk(value, sub, depth + 1)
            else:
                lines.append((depth, _label(sub), "—" if value is None else str(value)))

    for section in LABELLED_SECTIONS:
        if section in data:
            lines.append((0, _label((section,)), ""))
            walk(data[section], (section,), 1)
    # Sections added by later stages print with their raw keys until they get labels here.
    for section, value in data.items():
        if section not in ("as_of", "area", "from", *LABELLED_SECTIONS) and isinstance(value, dict):
            lines.append((0, section, ""))
            walk(value, (section,), 1)
    label_width = max((_width("  " * d + label) for d, label, _ in lines), default=0) + 2
    value_width = max((len(v) for _, _, v in lines), default=0)
    title = f"成效 Outcomes · {data['area']} · {data['as_of']}"
    if "from" in data:
        title += f" (期间 period {data['from']} – {data['as_of']})"
    out = [title, "=" * _width(title)]
    for depth, label, value in lines:
        if not value and depth == 0:
            out.append("")
        out.append((_pad("  " * depth + label, label_width) + value.rjust(value_width)).rstrip())
    return "\n".join(out) + "\n"


class Command(BaseCommand):
    help = (
        "Print the outcome figures (active organizations, members, party building, incubation) computed from the "
        "records at a date. Incubation figures about events (filed in the period, conversions to registration, "
        "median days from need to filing) count the period from --from to --as-of; the others are the records' "
        "state, overdue filings being those due before --as-of."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--area",
            help="Area name (subdistrict, community, district …), or a path of names such as 南山区/南山街道 "
            "when the name is not unique. Default: the single top area, else every area.",
        )
        parser.add_argument("--as-of", dest="as_of", help="Date as YYYY-MM-DD (default: today in Asia/Shanghai).")
        parser.add_argument(
            "--from",
            dest="start",
            help="First day of the period counted by the event figures, as YYYY-MM-DD "
            "(default: January 1 of the --as-of year). The period ends on --as-of, both days included.",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = self._parse_date(options["as_of"])
        start = self._parse_date(options["start"], option="--from") if options["start"] is not None else None
        if start is not None and start > as_of:
            raise CommandError(
                f"--from ({start}) is after --as-of ({as_of}): the period must start on or before its end."
            )
        area: Area | None
        if options["area"] is not None:
            try:
                area = find_area(options["area"])
            except AreaLookupError as exc:
                raise CommandError(str(exc)) from exc
        else:
            area = default_area()
        data = outcomes(as_of=as_of, area=area, start=start)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_table(data), ending="")

    @staticmethod
    def _parse_date(value: str | None, option: str = "--as-of") -> dt.date:
        if value is None:
            return timezone.localdate()
        try:
            return dt.datetime.strptime(value.strip(), "%Y-%m-%d").date()
        except ValueError:
            raise CommandError(
                f"{option} must be a date written YYYY-MM-DD, e.g. 2024-04-30 (got “{value}”)."
            ) from None
