"""Spreadsheet exports: one ListExporter per sheet, WorkbookExporter for several."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook as WorkbookType
from openpyxl.worksheet.datavalidation import DataValidation

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
TEXT_FORMAT = "@"
PROGRESS_EVERY = 500  # rows between two progress calls of a ListExporter

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F4F7")
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)


def display_width(text: Any) -> int:
    """Width of a text in spreadsheet character units: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def content_disposition(filename: str, *, attachment: bool = True) -> str:
    """A Content-Disposition value that keeps a non-ASCII (Chinese) file name.

    ``filename`` carries an ASCII fallback for very old clients; ``filename*`` (RFC 5987 / 6266)
    carries the real name, UTF-8 and percent-encoded, which every current browser prefers.
    """
    disposition = "attachment" if attachment else "inline"
    stem, suffix = Path(filename).stem, Path(filename).suffix
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).strip("._-") or "download"
    ascii_name = ascii_stem + re.sub(r"[^A-Za-z0-9.]", "", suffix)
    if ascii_name == filename:
        return f'{disposition}; filename="{filename}"'
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _sheet_title(title: str) -> str:
    """Excel sheet names: at most 31 characters and none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "_", str(title))[:31] or "Sheet1"


@dataclass(frozen=True)
class Column:
    """One column of an exported sheet.

    ``width`` is in character units (a Chinese character counts 2); by default it fits the title.
    ``number_format`` applies to the column's data cells, e.g. ``"@"`` keeps ID numbers as text.
    """

    title: str
    width: float | None = None
    number_format: str | None = None

    @property
    def resolved_width(self) -> float:
        if self.width is not None:
            return self.width
        return max(display_width(self.title) + 4, 10)


class _WorkbookOutput:
    """``workbook()`` builds the file; these turn it into bytes, a file on disk or a download."""

    def workbook(self) -> WorkbookType:  # pragma: no cover - abstract
        raise NotImplementedError

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        self.workbook().save(str(path))
        return path

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook().save(buffer)
        return buffer.getvalue()

    def response(self, filename: str) -> HttpResponse:
        if not filename.lower().endswith(".xlsx"):
            filename += ".xlsx"
        response = HttpResponse(self.to_bytes(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition(filename)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class ListExporter(_WorkbookOutput):
    """One sheet of a list: subclass with ``sheet_title``, ``columns`` and ``row(item)``.

    ``ListExporter(items)`` iterates ``items`` once (a queryset is read with ``.iterator()`` when
    it has no prefetches, so memory stays flat); ``row(item)`` returns the cell values in column
    order. Used as-is, ``ListExporter(rows, columns=[...], sheet_title="...")`` writes plain rows.
    """

    sheet_title: ClassVar[str] = "Sheet1"
    columns: ClassVar[Sequence[Column]] = ()
    freeze_header: ClassVar[bool] = True
    # Set on an instance to hear ``progress(rows_written)`` every PROGRESS_EVERY rows (a job's bar).
    progress: Callable[[int], None] | None = None

    def __init__(
        self,
        items: Iterable[Any] = (),
        *,
        columns: Sequence[Column | str] | None = None,
        sheet_title: str | None = None,
    ) -> None:
        self.items = items
        if columns is not None:
            self._columns: Sequence[Column] = [c if isinstance(c, Column) else Column(str(c)) for c in columns]
        else:
            self._columns = list(self.columns)
        self._sheet_title = sheet_title or self.sheet_title

    # What to write ---------------------------------------------------------------------------

    def get_columns(self) -> Sequence[Column]:
        return self._columns

    def row(self, item: Any) -> Sequence[Any]:
        return list(item)

    def get_items(self) -> Iterable[Any]:
        items = self.items
        if hasattr(items, "iterator") and not getattr(items, "_prefetch_related_lookups", ()):
            return items.iterator(chunk_size=2000)
        return items

    def get_rows(self) -> Iterable[Sequence[Any]]:
        for item in self.get_items():
            yield self.row(item)

    def prepare(self, worksheet: Any, columns: Sequence[Column]) -> None:
        """Hook before any row is written (data validations, print titles, ...)."""

    # How it is written -----------------------------------------------------------------------

    def add_to(self, workbook: WorkbookType) -> Any:
        """Append this sheet to a write-only workbook and return it."""
        ws = workbook.create_sheet(_sheet_title(self._sheet_title))
        columns = list(self.get_columns())
        for index, column in enumerate(columns, start=1):
            dimension = ws.column_dimensions[get_column_letter(index)]
            dimension.width = column.resolved_width
            if column.number_format:  # also for cells people type later (e.g. "@" keeps ID numbers text)
                dimension.number_format = column.number_format
        if self.freeze_header:
            ws.freeze_panes = "A2"
        self.prepare(ws, columns)
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=str(column.title))
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = HEADER_ALIGNMENT
            header.append(cell)
        ws.append(header)
        for count, values in enumerate(self.get_rows(), start=1):
            ws.append([self._cell(ws, value, column) for value, column in zip(values, columns, strict=False)])
            if self.progress is not None and count % PROGRESS_EVERY == 0:
                self.progress(count)
        return ws

    def _cell(self, ws: Any, value: Any, column: Column) -> Any:
        value = cell_value(value)
        cell = WriteOnlyCell(ws, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text from people is never run as a formula
        if isinstance(value, dt.datetime):
            cell.number_format = DATETIME_FORMAT
        elif isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
        elif column.number_format:
            cell.number_format = column.number_format
        return cell

    def workbook(self) -> WorkbookType:
        wb = Workbook(write_only=True)
        self.add_to(wb)
        return wb


class WorkbookExporter(_WorkbookOutput):
    """Several sheets in one file: ``sheets()`` returns ``ListExporter`` instances in order."""

    def sheets(self) -> Iterable[ListExporter]:  # pragma: no cover - abstract
        raise NotImplementedError

    def workbook(self) -> WorkbookType:
        wb = Workbook(write_only=True)
        for sheet in self.sheets():
            sheet.add_to(wb)
        return wb


def cell_value(value: Any) -> Any:
    """A Python value as openpyxl should store it: aware datetimes become local and naive."""
    if value is None:
        return None
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date | int | float | Decimal | str):  # bool is an int
        return value
    return str(value)


def list_validation(
    values: Sequence[str] | str, cells: str, *, strict: bool = True, prompt: str = "", title: str = ""
) -> DataValidation:
    """A dropdown for ``cells`` (e.g. "C2:C2000").

    ``values`` is either a list of short choices (written inline: at most 255 characters in all)
    or a range formula such as "=说明!$B$5:$B$17".
    """
    if isinstance(values, str):
        formula = values
    else:
        formula = '"' + ",".join(values) + '"'
        if len(formula) > 257:
            raise ValueError("An inline list is limited to 255 characters; use a range instead.")
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False)
    dv.showErrorMessage = strict
    dv.errorStyle = "stop" if strict else "warning"
    if title:
        dv.errorTitle = title[:32]
        dv.promptTitle = title[:32]
    if prompt:
        dv.error = prompt[:255]
        dv.prompt = prompt[:255]
        dv.showInputMessage = True
    dv.add(cells)
    return dv
