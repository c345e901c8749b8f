"""Import the registry from one workbook: organizations (sheet 组织) and members (sheet 成员).

    result = RegistryImport(by=user).run(path_or_file, dry_run=False)
    result.ok / result.errors [RowError(sheet, row, column, reason)] / result.summary (ImportSummary)

How it works (DESIGN.md §4.8, issue #2 §6):

1. Every row is validated by a form (``OrganizationRowForm``, ``MemberRowForm``): allowed words,
   dates (real Excel dates or text YYYY-MM-DD / YYYY/MM/DD, never in the future), the USCC per
   GB 32100 and its civil-affairs prefix (51 association-type, 52 service-type), and the
   consistency of legal status, status and dates.
2. Cross-row and registry checks: 所属社区 must be a community in the importer's scope (a name
   that repeats across subdistricts must be written 街道/社区); an organization appears once;
   filing numbers and USCCs are unique in the file and in the registry; an existing organization's
   filing details cannot be changed and its legal status cannot go back; each 成员 row names an
   organization of the 组织 sheet or of the registry in scope (社区/组织 when a name repeats);
   a person is one person across rows and organizations (matched in the registry with
   ``services.person_match``: ID number, then phone); no second current leader; nobody twice
   current in one organization, and no overlapping membership periods of one person (in the file
   or against the registry). Row problems are reported for every row in one round.
3. Only if nothing failed, the writes run in ONE transaction, each through a service, in bulk:
   people (``persons_bulk_create``; ``person_update`` for known people the file says more
   about), organizations (``organizations_bulk_create``; ``organization_update`` for recorded
   ones whose profile differs), memberships (``memberships_bulk_add_many``; ``membership_end``,
   ``membership_change_role`` for recorded ones), then the lifecycle transitions in date order
   (``organizations_bulk_transition``: start_incubation → file → register → make_dormant /
   dissolve, or reactivate), with the same checks, history versions and status changes as the
   one-row services. A bulk service names each row it refuses (``RowsRefused``); every refusal
   becomes a row error, and the whole transaction is rolled back: nothing is written. A dry run
   performs the same writes and always rolls back, so it reports exactly what a real run
   would, refusals included.

Decisions worth knowing:

- Filings are recorded with ``check_floor=False``: an import records filings the subdistrict made
  before Sifu existed, whose member rolls may be incomplete. The Guangdong floor is checked when a
  filing is made in Sifu itself. The template's 说明 sheet says so.
- A new organization is created on the earliest of its 成立日期 / 备案日期 / 登记日期 (today when
  none is given); incubation starts on that date. The file carries no date for 休眠 and 注销, so
  those transitions are dated on the day of the import, with reasons "导入：状态为休眠" and
  "导入：状态为注销". A registered organization is recorded as converted from a filed one, so
  登记 rows also need 备案编号 and 备案日期.
- Members are added before dormancy or dissolution (a dissolved organization's members can no
  longer change); an ended membership (退出日期) is created ended.
- Rows whose 组织名称 starts with "示例：" (the template's example rows) are skipped.
- Extra columns are ignored with a warning; active or dormant organizations left without a current
  leader are listed as a warning (not an error: member rolls may come later).
- Handing over the leadership of an organization already recorded is not done by import (the file
  cannot say who replaces whom on which day): the office's "Change leader" does it.
- Size: reads and checks cost a few queries per chunk of 500 rows, never per row (pinned in
  tests), and the workbook is read straight from its XML with one form per sheet: 10,000
  organizations with 30,000 members take about half a minute of CPU, dry run or not (figures in
  bench/results.md, ``python -m bench.imports``). A sheet holds at most 20,000 organizations or
  60,000 members.
- Idempotent: importing the same file again changes nothing. Organizations are matched by
  (community, name), people by ID number then phone, memberships by (person, organization,
  加入日期). Blank cells of a present column clear the field of an existing organization (the file
  is the truth for the columns it has); absent optional columns leave fields alone.
"""

from __future__ import annotations

from sifu.registry.imports.plan import ImportSummary, OrgOutcome
from sifu.registry.imports.registry import RegistryImport
from sifu.registry.imports.vocabulary import MEMBER_COLUMNS, MEMBER_SHEET, NOTES_SHEET, ORG_COLUMNS, ORG_SHEET

__all__ = [
    "MEMBER_COLUMNS",
    "MEMBER_SHEET",
    "NOTES_SHEET",
    "ORG_COLUMNS",
    "ORG_SHEET",
    "ImportSummary",
    "OrgOutcome",
    "RegistryImport",
]
