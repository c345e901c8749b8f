"""Workbooks for the import and export tests, built with openpyxl the way users fill them in."""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from openpyxl import Workbook

from sifu.core.validators import id_check_char, uscc_check_char
from sifu.registry.imports import MEMBER_COLUMNS, ORG_COLUMNS

ORG_HEADER = [c.title for c in ORG_COLUMNS]
MEMBER_HEADER = [c.title for c in MEMBER_COLUMNS]
_numbers = itertools.count(1)


def uscc(prefix: str = "52", n: int = 1) -> str:
    """A valid civil-affairs code: 51 association-type, 52 service-type, in 南山区 (440305)."""
    first17 = f"{prefix}440305MJL{n:05d}0"[:17]
    return first17 + uscc_check_char(first17)


def id_number(n: int) -> str:
    first17 = f"44030519850101{n % 1000:03d}"
    return first17 + id_check_char(first17)


def phone(n: int) -> str:
    return f"136{n:08d}"


def org(name: str, **cells: Any) -> dict[str, Any]:
    """One 组织 row: a filed, active service-type team in 荔芳社区 unless the cells say otherwise."""
    row = {
        "组织名称": name,
        "所属社区": "荔芳社区",
        "组织形式": "队",
        "组织性质": "民非型",
        "功能类别": "文体活动",
        "登记状态": "备案",
        "备案编号": f"T-{next(_numbers):04d}",
        "统一社会信用代码": None,
        "成立日期": "2021-01-01",
        "备案日期": "2021-03-01",
        "登记日期": None,
        "活动场所": "社区党群服务中心",
        "党建入章": "否",
        "党支部成立日期": None,
        "状态": "活跃",
    }
    row.update(cells)
    return row


def member(organization: str, name: str, n: int, **cells: Any) -> dict[str, Any]:
    row = {
        "组织名称": organization,
        "姓名": name,
        "手机": phone(n),
        "身份证号": None,
        "政治面貌": None,
        "角色": "成员",
        "加入日期": "2021-03-01",
        "退出日期": None,
    }
    row.update(cells)
    return row


def workbook(
    orgs: Sequence[dict[str, Any]] = (),
    members: Sequence[dict[str, Any]] = (),
    *,
    org_header: list[str] | None = None,
    member_header: list[str] | None = None,
    sheets: tuple[str, ...] = ("组织", "成员"),
) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, header, rows in (
        ("组织", org_header or ORG_HEADER, orgs),
        ("成员", member_header or MEMBER_HEADER, members),
    ):
        if sheet not in sheets:
            continue
        ws = wb.create_sheet(sheet)
        ws.append(header)
        for row in rows:
            ws.append([row.get(title) for title in header])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# The record of the attempt itself (the job and its queued task) is not a write of the import.
JOB_TABLES = ("jobs", "django_tasks_database")


def table_counts() -> dict[str, int]:
    """The number of rows of every table, history tables included (but not the job's own records)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in JOB_TABLES
    }
