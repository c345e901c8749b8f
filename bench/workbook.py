"""A registry workbook at scale, for timing ``manage.py import_registry`` (issue 7 §8).

    .venv/bin/python -m bench.workbook --orgs 10000 --members 30000 bench/.data/registry.xlsx
    .venv/bin/python -m bench.workbook --areas-only --orgs 10000      # create the areas it names
    .venv/bin/python -m bench.imports                                  # both, timed on fresh databases

The workbook has the import template's two sheets, 组织 and 成员, with the column titles of
``sifu.registry.imports.vocabulary``. It targets an area tree of its own, created through
``accounts.services.area_create`` with ``--create-areas`` / ``--areas-only`` (idempotent):
city 导入基准市 → district 导入基准区 → one subdistrict 导入第N街道 per 10 communities → communities
导入N社区, one per 100 organizations (unique names, so 所属社区 needs no qualifier; every 50th row
writes 街道/社区 anyway, as users do).

What the rows look like (seeded, so the same arguments give the same file; dates relative to
``--today``, default 2025-06-30, so they are never in the future):

- organizations in the shares of ``bench.generate.STATES`` (mostly active and filed; some
  registered with a valid civil-affairs code 51/52 matching their nature, dormant, dissolved,
  incubating, proposed), ``bench.generate.NATURES`` / ``CATEGORIES``, a founding date, a filing
  number and date for filed ones, a party clause for ~30 %, a party branch for ~9 %;
- exactly one current leader (负责人) per organization, so every active organization has one; the
  rest of the ``--members`` rows spread over the organizations (deputies, backbone members,
  members, volunteers; ~5 % of them have left, with a 退出日期);
- people mostly fresh, ~10 % of the member rows naming someone who is already in another
  organization of the file (same name, phone, ID number and 政治面貌); phones are 11-digit
  mainland mobiles, ID numbers 18 characters with a real birth date and a valid check character
  (``sifu.core.validators.id_check_char``), ~60 % of people have both, the others one of them;
  ~12 % party members, a few probationary members and league members.

The template has no column for initiators (发起人) and an import records filings with
``check_floor=False`` (sifu/registry/imports/__init__.py), so the filing floor does not apply to
imported filings; filed organizations still get at least three members where ``--members``
allows, the usual floor of initiators.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CITY, DISTRICT = "导入基准市", "导入基准区"
ORGS_PER_COMMUNITY = 100
COMMUNITIES_PER_SUBDISTRICT = 10
PHONE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "158", "159", "186", "188")
REGIONS = ("440305", "440303", "440304", "440306", "440307", "440308", "430104", "360102", "450103", "441302")
FORM_WORDS = ("社", "站", "队", "中心", "组")
THEMES = ("长者饭堂", "邻里互助", "书法", "太极", "广场舞", "读书", "义剪", "环保", "亲子阅读", "夜跑", "合唱", "调解")
ROLE_WEIGHTS = [("成员", 78), ("骨干", 12), ("副负责人", 3), ("志愿者", 7)]
POLITICAL_WEIGHTS = [("中共党员", 12), ("中共预备党员", 1), ("共青团员", 5), ("群众", 40), (None, 42)]


def community_name(k: int) -> str:
    return f"导入{k}社区"


def subdistrict_name(i: int) -> str:
    return f"导入第{i}街道"


def layout(orgs: int) -> tuple[int, int]:
    """(communities, subdistricts) for ``orgs`` organizations."""
    communities = max(1, -(-orgs // ORGS_PER_COMMUNITY))
    return communities, -(-communities // COMMUNITIES_PER_SUBDISTRICT)


def create_areas(orgs: int) -> int:
    """Create (or find) the area tree the workbook names, through the accounts service."""
    from sifu.accounts.models import Area
    from sifu.accounts.services import area_create, system_actor

    def get_or_create(name: str, kind: str, parent: Area | None) -> Area:
        found = Area.objects.filter(name=name, kind=kind, parent=parent).first()
        return found or area_create(name=name, kind=kind, parent=parent, by=system)

    system = system_actor()

    communities, subdistricts = layout(orgs)
    city = get_or_create(CITY, Area.Kind.CITY, None)
    district = get_or_create(DISTRICT, Area.Kind.DISTRICT, city)
    subs = [get_or_create(subdistrict_name(i + 1), Area.Kind.SUBDISTRICT, district) for i in range(subdistricts)]
    for k in range(communities):
        get_or_create(community_name(k + 1), Area.Kind.COMMUNITY, subs[k // COMMUNITIES_PER_SUBDISTRICT])
    return communities


@dataclass
class _Person:
    name: str
    phone: str | None
    id_number: str | None
    political: str | None


def _weighted(rng: random.Random, table: list[tuple]) -> Any:
    return rng.choices([k for k, _w in table], weights=[w for _k, w in table])[0]


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(0, (end - start).days) + 1))


def _phone(i: int) -> str:
    # (prefix, number) is a one-to-one function of i: 7919 is coprime with 10**8.
    prefix = PHONE_PREFIXES[i % len(PHONE_PREFIXES)]
    return f"{prefix}{(i // len(PHONE_PREFIXES) * 7919 + 1234567) % 10**8:08d}"


def _id_number(i: int, rng: random.Random) -> str:
    from sifu.core.validators import id_check_char

    # (birth date, sequence) is a one-to-one function of i: 37 is coprime with 20000.
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(i * 37) % 20000)
    first17 = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{i // 20000 % 1000:03d}"
    return first17 + id_check_char(first17)


def _new_person(i: int, rng: random.Random) -> _Person:
    from bench.generate import GIVEN, SURNAMES

    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    kind = rng.random()
    phone = _phone(i) if kind < 0.85 else None  # 60 % both, 25 % phone only, 15 % ID only
    id_number = _id_number(i, rng) if kind < 0.6 or kind >= 0.85 else None
    return _Person(name, phone, id_number, _weighted(rng, POLITICAL_WEIGHTS))


def rows(orgs: int, members: int, *, seed: int = 2024, today: dt.date) -> tuple[list[list], list[list]]:
    """The 组织 and 成员 rows, in the template's column order."""
    from bench.generate import CATEGORIES, NATURES, STATES
    from sifu.core.validators import uscc_check_char
    from sifu.registry.imports.vocabulary import CATEGORIES as CATEGORY_WORDS
    from sifu.registry.imports.vocabulary import LEGAL_STATUSES, STATUSES, word_for
    from sifu.registry.imports.vocabulary import NATURES as NATURE_WORDS
    from sifu.registry.models import Organization

    rng = random.Random(seed)
    communities, _subdistricts = layout(orgs)
    org_rows: list[list] = []
    org_names: list[tuple[str, dt.date, bool]] = []  # name, first day, takes members after 'today'?
    for n in range(1, orgs + 1):
        k = (n - 1) % communities + 1
        community = community_name(k)
        if n % 50 == 0:
            community = f"{subdistrict_name((k - 1) // COMMUNITIES_PER_SUBDISTRICT + 1)}/{community}"
        status: str
        legal: str
        status, legal = _weighted(rng, STATES)
        nature = _weighted(rng, NATURES)
        founded = _date(rng, dt.date(2012, 1, 1), today - dt.timedelta(days=400))
        filed_on = registered_on = None
        filing_number = uscc = None
        if legal != Organization.LegalStatus.UNFILED:
            filed_on = _date(rng, founded, min(founded + dt.timedelta(days=365), today - dt.timedelta(days=60)))
            filing_number = f"DR{filed_on.year}-{n:06d}"
        if legal == Organization.LegalStatus.REGISTERED:
            assert filed_on is not None  # registered organizations were filed first
            registered_on = _date(rng, filed_on, today - dt.timedelta(days=30))
            first17 = f"{'51' if nature == Organization.Nature.ASSOCIATION else '52'}440305MJ{n:07d}"
            uscc = first17 + uscc_check_char(first17)
        branch = _date(rng, founded, today - dt.timedelta(days=1)) if rng.random() < 0.09 else None
        name = f"{community_name(k)}{rng.choice(THEMES)}{rng.choice(FORM_WORDS)}{n}"
        org_rows.append(
            [
                name,
                community,
                rng.choice(FORM_WORDS),
                word_for(NATURE_WORDS, nature),
                word_for(CATEGORY_WORDS, _weighted(rng, CATEGORIES)),
                word_for(LEGAL_STATUSES, legal),
                filing_number,
                uscc,
                founded,
                filed_on,
                registered_on,
                f"{community_name(k)}党群服务中心",
                "是" if rng.random() < 0.3 else "否",
                branch,
                word_for(STATUSES, status),
            ]
        )
        org_names.append((name, founded, legal != Organization.LegalStatus.UNFILED))

    # Members: one current leader each, then the rest spread at random (filed ones first up to 3).
    sizes = [1] * orgs
    rest = max(0, members - orgs)
    filed = [i for i, (_n, _f, is_filed) in enumerate(org_names) if is_filed]
    for i in filed:
        if rest < 2:
            break
        sizes[i] += 2
        rest -= 2
    for _ in range(rest):
        sizes[rng.randrange(orgs)] += 1
    people: list[_Person] = []
    member_rows: list[list] = []
    for i, (name, founded, _is_filed) in enumerate(org_names):
        taken: set[int] = set()
        for j in range(sizes[i]):
            if people and j > 0 and rng.random() < 0.1:
                p = rng.randrange(len(people))  # someone already in another organization of the file
                if p in taken:
                    p = len(people)
            else:
                p = len(people)
            if p == len(people):
                people.append(_new_person(p + 1, rng))
            taken.add(p)
            person = people[p]
            joined = founded if j == 0 else _date(rng, founded, today - dt.timedelta(days=2))
            left = None
            role = "负责人" if j == 0 else _weighted(rng, ROLE_WEIGHTS)
            if j > 0 and rng.random() < 0.05:
                left = _date(rng, joined + dt.timedelta(days=1), today - dt.timedelta(days=1))
            member_rows.append(
                [name, person.name, person.phone, person.id_number, person.political, role, joined, left]
            )
    return org_rows, member_rows


def write_workbook(path: Path, org_rows: list[list], member_rows: list[list]) -> None:
    from openpyxl import Workbook

    from sifu.registry.imports.vocabulary import MEMBER_COLUMNS, MEMBER_SHEET, ORG_COLUMNS, ORG_SHEET

    book = Workbook(write_only=True)
    for title, columns, data in ((ORG_SHEET, ORG_COLUMNS, org_rows), (MEMBER_SHEET, MEMBER_COLUMNS, member_rows)):
        sheet = book.create_sheet(title)
        sheet.append([c.title for c in columns])
        for row in data:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, help="the .xlsx to write")
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2025, 6, 30))
    parser.add_argument("--create-areas", action="store_true", help="also create the areas (DATABASE_URL)")
    parser.add_argument("--areas-only", action="store_true", help="only create the areas")
    args = parser.parse_args(argv)
    _setup_django()
    if args.create_areas or args.areas_only:
        print(f"{create_areas(args.orgs)} communities ready")
    if args.areas_only:
        return 0
    if args.out is None:
        parser.error("give the .xlsx to write")
    started = time.perf_counter()
    org_rows, member_rows = rows(args.orgs, args.members, seed=args.seed, today=args.today)
    write_workbook(args.out, org_rows, member_rows)
    people = len({(r[2], r[3]) for r in member_rows})
    print(
        f"{args.out}: {len(org_rows)} organizations, {len(member_rows)} member rows, {people} people "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
