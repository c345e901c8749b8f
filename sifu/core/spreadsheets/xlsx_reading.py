"""Reading .xlsx sheets: ``open_workbook`` (a clear ``UnreadableWorkbook`` for anything else) and
``sheet_values``, the fast row reader. Re-exported by ``sifu.core.spreadsheets`` and its importer."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook as WorkbookType
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse


class UnreadableWorkbook(Exception):
    """The upload is not an .xlsx workbook openpyxl can read."""


def open_workbook(source: str | Path | bytes | IO[bytes]) -> WorkbookType:
    """Open an .xlsx read-only; anything else raises ``UnreadableWorkbook`` with a clear reason."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    if isinstance(source, str | Path):
        if Path(source).suffix.lower() != ".xlsx":
            raise UnreadableWorkbook(_("Only .xlsx workbooks can be imported (Excel 2007 or later)."))
        handle: Any = open(source, "rb")  # noqa: SIM115 - closed below or by openpyxl
    else:
        handle = source
    try:
        start = handle.read(4)
        handle.seek(0)
        if start != b"PK\x03\x04":
            if start[:4] == b"\xd0\xcf\x11\xe0":
                raise UnreadableWorkbook(
                    _("This is an old .xls workbook. Open it in Excel or WPS and save it as .xlsx, then import it.")
                )
            raise UnreadableWorkbook(
                _("This file is not an Excel workbook (.xlsx), even if its name says so. Save it from Excel as .xlsx.")
            )
        return load_workbook(handle, read_only=True, data_only=True)
    except UnreadableWorkbook:
        raise
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise UnreadableWorkbook(
            _("The workbook could not be read; it may be damaged. Open it in Excel, save it as .xlsx and try again.")
        ) from exc


_ROW, _CELL = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}c"
_VALUE, _INLINE = f"{{{SHEET_MAIN_NS}}}v", f"{{{SHEET_MAIN_NS}}}is"
_TEXT, _RUN = f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r"


def _number(text: str) -> int | float:
    return float(text) if "." in text or "E" in text or "e" in text else int(text)


def sheet_values(ws: Any, min_row: int = 1) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) of each row of ``ws`` from ``min_row`` on; empty rows may be left out.

    The values are those of openpyxl's ``iter_rows(values_only=True)`` in read-only, data-only mode
    (shared and inline strings, numbers, booleans, date cells as datetimes, errors as their text),
    read straight from the sheet's XML: openpyxl builds objects for every cell and inline string
    first, which made reading most of the time of a large import. Other worksheets (a workbook not
    opened read-only) are read through openpyxl.
    """
    book = getattr(ws, "parent", None)
    if not hasattr(ws, "_get_source") or book is None or not hasattr(book, "_date_formats"):
        for number, cells in enumerate(ws.iter_rows(min_row=min_row, values_only=True), start=min_row):
            yield number, list(cells)
        return
    strings, dates, epoch = ws._shared_strings, book._date_formats, book.epoch
    timedeltas = book._timedelta_formats
    number = 0
    with ws._get_source() as source:
        for _event, element in iterparse(source):
            if element.tag != _ROW:
                continue
            r = element.get("r")
            number = int(float(r)) if r else number + 1
            if number < min_row:
                element.clear()
                continue
            values: list[Any] = []
            column = 0
            for cell in element.iterfind(_CELL):
                ref = cell.get("r")
                column = coordinate_to_tuple(ref)[1] if ref else column + 1
                kind = cell.get("t", "n")
                value: Any = None
                if kind == "inlineStr":
                    inline = cell.find(_INLINE)
                    if inline is not None:
                        parts = [t.text or "" for t in inline.iterfind(_TEXT)]
                        parts += [t.text or "" for run in inline.iterfind(_RUN) for t in run.iterfind(_TEXT)]
                        value = "".join(parts)
                else:
                    text = cell.findtext(_VALUE, None) or None
                    if text is not None:
                        if kind == "n":
                            value = _number(text)
                            style = int(cell.get("s") or 0)
                            if style in dates:
                                try:
                                    value = from_excel(value, epoch, timedelta=style in timedeltas)
                                except (OverflowError, ValueError):
                                    value = "#VALUE!"
                        elif kind == "s":
                            value = strings[int(text)]
                        elif kind == "b":
                            value = bool(int(text))
                        elif kind == "d":
                            value = from_ISO8601(text)
                        else:  # str (a formula's text), e (an error)
                            value = text
                if value is None:
                    continue
                if column > len(values):
                    values.extend([None] * (column - len(values)))
                values[column - 1] = value
            element.clear()
            yield number, values
