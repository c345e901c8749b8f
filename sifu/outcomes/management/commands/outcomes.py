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
from sifu.core.contributions import FigureSection, contributed
from sifu.outcomes.selectors import AreaLookupError, default_area, find_area, outcomes


def labels() -> dict[tuple[str, ...], tuple[str, str]]:
    """(section, key, …) → (Chinese, English), from the contributed figure sections. by_community
    rows are labelled by the community's name."""
    merged: dict[tuple[str, ...], tuple[str, str]] = {}
    for section in contributed(FigureSection):
        merged.update(section.labels)
    return merged


def labelled_sections(labels: dict[tuple[str, ...], tuple[str, str]]) -> list[str]:
    """The top-level keys that have labels, in the sections' order."""
    return [key[0] for key in labels if len(key) == 1]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def _label(key: tuple[str, ...], labels: dict[tuple[str, ...], tuple[str, str]]) -> str:
    zh, en = labels.get(key, (key[-1], ""))
    return f"{zh} {en}".strip()


def render_table(data: dict[str, Any]) -> str:
    """The figures as an indented two-column table with Chinese and English labels."""
    lines: list[tuple[int, str, str]] = []
    names = labels()
    sections = labelled_sections(names)

    def walk(node: dict[str, Any], key: tuple[str, ...], depth: int) -> None:
        for name, value in node.items():
            sub = (*key, name)
            if isinstance(value, dict):
                lines.append((depth, _label(sub, names), ""))
                walk(value, sub, depth + 1)
            else:
                lines.append((depth, _label(sub, names), "—" if value is None else str(value)))

    for section in sections:
        if section in data:
            lines.append((0, _label((section,), names), ""))
            walk(data[section], (section,), 1)
    # Sections without labels print with their raw keys.
    for section, value in data.items():
        if section not in ("as_of", "area", "from", *sections) and isinstance(value, dict):
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
