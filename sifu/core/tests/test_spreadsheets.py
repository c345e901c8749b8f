"""The spreadsheet bases: exporter output, cell fields, and the all-or-nothing importer."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import pytest
from django import forms
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from sifu.accounts.models import Area
from sifu.accounts.services import area_create, system_actor
from sifu.core.spreadsheets import (
    XLSX_CONTENT_TYPE,
    CellChoiceField,
    CellDateField,
    CellIdentifierField,
    CellTextField,
    Column,
    ImportColumn,
    ListExporter,
    RowError,
    SheetImporter,
    SheetRow,
    SheetSpec,
    WorkbookExporter,
    content_disposition,
    display_width,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# Exports -------------------------------------------------------------------------------------


class PeopleSheet(ListExporter):
    sheet_title = "名单"
    columns = (Column("姓名", width=12), Column("加入日期"), Column("备注", width=30), Column("记录时间"))

    def row(self, item: dict[str, Any]) -> list[Any]:
        return [item["name"], item["joined"], item["note"], item["at"]]


ITEMS = [
    {
        "name": "张伟",
        "joined": dt.date(2021, 3, 5),
        "note": '=HYPERLINK("http://evil")',
        "at": dt.datetime(2024, 1, 2, 1, 30, tzinfo=dt.UTC),
    },
    {"name": "王芳", "joined": None, "note": "", "at": None},
]


def _load(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


def test_list_exporter_writes_a_tidy_sheet():
    ws = _load(PeopleSheet(ITEMS).to_bytes())["名单"]
    assert [c.value for c in ws[1]] == ["姓名", "加入日期", "备注", "记录时间"]
    assert all(c.font.b for c in ws[1]), "the header row is bold"
    assert ws.freeze_panes == "A2", "the header row stays visible"
    assert ws.column_dimensions["A"].width == 12
    assert ws.column_dimensions["C"].width == 30
    assert ws.column_dimensions["B"].width == display_width("加入日期") + 4
    # Dates are real date cells, formatted as dates.
    assert ws["B2"].value == dt.datetime(2021, 3, 5)
    assert ws["B2"].is_date and ws["B2"].number_format == "yyyy-mm-dd"
    # Aware datetimes are written in local time (Asia/Shanghai), since Excel has no time zones.
    assert ws["D2"].value == dt.datetime(2024, 1, 2, 9, 30)
    # Text that looks like a formula stays text: nothing from people is ever evaluated.
    assert ws["C2"].data_type == "s"
    assert ws["C2"].value == '=HYPERLINK("http://evil")'
    assert ws.max_row == 3


def test_list_exporter_response_and_write(tmp_path):
    response = PeopleSheet(ITEMS).response("社区社会组织名单")
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert (
        "filename*=UTF-8''%E7%A4%BE%E5%8C%BA%E7%A4%BE%E4%BC%9A%E7%BB%84%E7%BB%87%E5%90%8D%E5%8D%95.xlsx" in disposition
    )
    assert 'filename="download.xlsx"' in disposition
    assert _load(response.content)["名单"]["A2"].value == "张伟"
    path = PeopleSheet(ITEMS).write(tmp_path / "名单.xlsx")
    assert load_workbook(path)["名单"]["A3"].value == "王芳"


def test_plain_rows_and_several_sheets():
    class Book(WorkbookExporter):
        def sheets(self):
            return [
                ListExporter([[1, "a"]], columns=["编号", "名称"], sheet_title="甲"),
                ListExporter([[2, "b"]], columns=["编号", "名称"], sheet_title="乙/丙"),
            ]

    wb = _load(Book().to_bytes())
    assert wb.sheetnames == ["甲", "乙_丙"]
    assert wb["乙_丙"]["B2"].value == "b"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("report.xlsx", 'attachment; filename="report.xlsx"'),
        ("组织.xlsx", "attachment; filename=\"download.xlsx\"; filename*=UTF-8''%E7%BB%84%E7%BB%87.xlsx"),
        ("名单 2024.xlsx", "attachment; filename=\"2024.xlsx\"; filename*=UTF-8''%E5%90%8D%E5%8D%95%202024.xlsx"),
        ('a"b.xlsx', "attachment; filename=\"a_b.xlsx\"; filename*=UTF-8''a%22b.xlsx"),
    ],
)
def test_content_disposition_keeps_chinese_names(filename, expected):
    assert content_disposition(filename) == expected


# Cell fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2021, 3, 5), dt.date(2021, 3, 5)),
        (dt.date(2021, 3, 5), dt.date(2021, 3, 5)),
        ("2021-03-05", dt.date(2021, 3, 5)),
        ("2021/3/5", dt.date(2021, 3, 5)),
        (" 2021/03/05 ", dt.date(2021, 3, 5)),
        ("", None),
        (None, None),
    ],
)
def test_date_field_accepts_excel_dates_and_iso_text(value, expected):
    assert CellDateField(required=False).clean(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2021.03.05", "YYYY-MM-DD"),
        ("05/03/2021", "YYYY-MM-DD"),
        ("2021年3月5日", "YYYY-MM-DD"),
        ("2021-02-30", "real calendar date"),
        (44260, "number 44260"),
    ],
)
def test_date_field_rejects_other_forms_with_a_reason(value, reason):
    with pytest.raises(forms.ValidationError) as exc:
        CellDateField().clean(value)
    assert reason in exc.value.messages[0]


def test_date_field_refuses_the_future():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(forms.ValidationError, match="future"):
        CellDateField().clean(tomorrow.isoformat())
    assert CellDateField(allow_future=True).clean(tomorrow) == tomorrow


def test_identifiers_typed_as_numbers():
    assert CellIdentifierField().clean(13800001234) == "13800001234"
    assert CellIdentifierField().clean(13800001234.0) == "13800001234"
    with pytest.raises(forms.ValidationError, match="15th"):
        CellIdentifierField().clean(4.40305198001011e17)  # an ID number Excel has already rounded
    assert CellTextField().clean(dt.datetime(2020, 1, 2)) == "2020-01-02"


def test_choice_field_maps_words_to_values():
    field = CellChoiceField(choices={"是": True, "否": False}, aliases={"Y": "是"}, required=False, default=False)
    assert field.clean("是") is True
    assert field.clean("Y") is True
    assert field.clean("") is False
    strict = CellChoiceField(choices={"社团型": "association", "民非型": "service"})
    assert strict.clean(" 社团型 ") == "association"
    with pytest.raises(forms.ValidationError) as exc:
        strict.clean("社会团体")
    assert "社团型|民非型" in exc.value.messages[0]
    with pytest.raises(forms.ValidationError):
        strict.clean("")


# The importer --------------------------------------------------------------------------------


class DistrictForm(forms.Form):
    name = CellTextField(max_length=20)
    code = CellIdentifierField(required=False)
    since = CellDateField(required=False)


class DistrictImport(SheetImporter):
    """A toy import: districts (top-level areas) from a sheet 地区, written through area_create."""

    sheets = (
        SheetSpec(
            "地区",
            (
                ImportColumn("名称", "name", required=True),
                ImportColumn("编码", "code"),
                ImportColumn("设立日期", "since"),
            ),
            DistrictForm,
        ),
    )
    writes = 0

    def check(self, rows: dict[str, list[SheetRow]]) -> None:
        for row in rows["地区"]:
            if row.data["code"] == "000000":
                self.row_error(row, "code", "reserved")

    def write(self, rows: dict[str, list[SheetRow]]) -> int:
        type(self).writes += 1
        created = 0
        for row in rows["地区"]:
            area = self.attempt(
                row,
                area_create,
                default="name",
                name=row.data["name"],
                kind=Area.Kind.DISTRICT,
                parent=None,
                by=system_actor(),
            )
            created += area is not None
        return created


def _book(header: list[Any], *rows: list[Any], sheet: str = "地区", before: Sequence[list[Any]] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for line in before:
        ws.append(line)
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_importer_maps_columns_by_title_in_any_order(db):
    data = _book(["设立日期", "备注", "名称"], ["2020-01-01", "x", "福田区"], [None, None, None], [None, "y", "罗湖区"])
    result = DistrictImport().run(data)
    assert result.ok, result.errors
    assert result.summary == 2
    assert set(Area.objects.values_list("name", flat=True)) == {"福田区", "罗湖区"}
    assert result.warnings == ["Sheet 地区: columns not in the template were ignored: 备注."]


def test_importer_reports_every_bad_row_and_writes_nothing(db):
    DistrictImport.writes = 0
    data = _book(
        ["名称", "设立日期", "编码"],
        ["福田区", "2020-01-01", "440304"],
        ["", "2020-01-01", None],
        ["罗湖区", "2020.1.1", None],
        ["南山区", None, "000000"],
        before=[["深圳市各区"]],  # a title line above the header
    )
    result = DistrictImport().run(data)
    assert not result.ok
    assert result.errors == [
        RowError("地区", 4, "名称", "This cell is empty; fill it in."),
        RowError("地区", 5, "设立日期", "“2020.1.1” is not a date: write it as YYYY-MM-DD, e.g. 2021-03-15."),
        RowError("地区", 6, "编码", "reserved"),
    ]
    assert str(result.errors[1]).startswith("工作表 地区 第 5 行 设立日期: ")
    assert DistrictImport.writes == 0
    assert not Area.objects.exists()


def test_a_service_refusal_rolls_back_the_rows_already_written(db):
    data = _book(["名称"], ["福田区"], ["罗湖区"], ["福田区"])
    result = DistrictImport().run(data)
    assert result.errors == [RowError("地区", 4, "名称", "“福田区” already exists here.")]
    assert result.summary is None
    assert not Area.objects.exists()


def test_dry_run_runs_the_writes_and_rolls_them_back(db):
    result = DistrictImport().run(_book(["名称"], ["福田区"], ["罗湖区"]), dry_run=True)
    assert result.ok and result.dry_run and not result.written
    assert result.summary == 2
    assert not Area.objects.exists()
    # ... and catches what a real run would refuse.
    refused = DistrictImport().run(_book(["名称"], ["福田区"], ["福田区"]), dry_run=True)
    assert [e.row for e in refused.errors] == [3]


def test_structural_problems(db):
    missing = DistrictImport().run(_book(["编码", "设立日期"], ["1", None]))
    assert missing.errors == [RowError("地区", 1, "名称", "This required column is missing from the header row.")]
    twice = DistrictImport().run(_book(["名称", "名称"], ["a", "b"]))
    assert twice.errors == [RowError("地区", 1, "名称", "This column appears twice; keep one.")]
    no_sheet = DistrictImport().run(_book(["名称"], ["a"], sheet="Sheet1"))
    assert no_sheet.errors == [RowError("地区", None, "", "The workbook has no sheet named “地区” (it has: Sheet1).")]
    assert str(no_sheet.errors[0]).startswith("工作表 地区: ")
    no_header = DistrictImport().run(_book(["Name"], ["a"]))
    assert no_header.errors[0].row == 1 and "header row" in no_header.errors[0].reason
    assert not Area.objects.exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"name,code\n\xe7\xa6\x8f\xe7\x94\xb0,1\n", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old .xls"),
        (b"PK\x03\x04broken", "could not be read"),
    ],
)
def test_files_that_are_not_xlsx_get_a_clear_error(db, content, reason):
    result = DistrictImport().run(io.BytesIO(content))
    assert len(result.errors) == 1
    assert result.errors[0].row is None
    assert reason in result.errors[0].reason


def test_a_path_must_end_in_xlsx(db, tmp_path):
    path = tmp_path / "地区.csv"
    path.write_bytes(_book(["名称"], ["福田区"]))
    assert "Only .xlsx" in DistrictImport().run(path).errors[0].reason
    good = tmp_path / "地区.xlsx"
    good.write_bytes(_book(["名称"], ["福田区"]))
    assert DistrictImport().run(good).ok


@pytest.mark.parametrize("write_only", [False, True], ids=["shared strings", "inline strings"])
def test_sheet_values_reads_what_openpyxl_reads(write_only):
    from sifu.core.spreadsheets.importer import open_workbook, sheet_values

    book = Workbook(write_only=write_only)
    ws = book.create_sheet("数据")
    rows = [
        ["组织名称", "数量", "日期", "是否", None, "备注"],
        ["荔芳社区", 12, dt.date(2021, 3, 15), True, None, "  空格  "],
        [None, None, None, None, None, None],
        ["南园", 1.5, dt.datetime(2020, 1, 2, 10, 30), False, "x", None],
        ["440305198501010012", 13800001234, "2021-03-01", "=1+1", None, "最后"],
    ]
    for row in rows:
        ws.append(row)
    if not write_only:
        ws.cell(row=9, column=3, value="跳过几行")
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()

    def trimmed(values):
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        return values

    expected = [
        (n, trimmed(v))
        for n, v in enumerate(open_workbook(data)["数据"].iter_rows(min_row=2, values_only=True), start=2)
        if any(x is not None for x in v)
    ]
    got = [(n, trimmed(v)) for n, v in sheet_values(open_workbook(data)["数据"], min_row=2) if trimmed(v)]
    assert got == expected
    assert got[0][1][2] == dt.datetime(2021, 3, 15)  # a date cell comes back as a date
