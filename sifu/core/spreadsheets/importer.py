"""Spreadsheet imports: read sheets by name, validate every row with a form, then write all or nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl.workbook.workbook import Workbook as WorkbookType

from sifu.core.spreadsheets.cells import empty_cell

# The reader lives in xlsx_reading; its names are re-exported here, where they used to be.
from sifu.core.spreadsheets.xlsx_reading import UnreadableWorkbook as UnreadableWorkbook
from sifu.core.spreadsheets.xlsx_reading import open_workbook as open_workbook
from sifu.core.spreadsheets.xlsx_reading import sheet_values as sheet_values


@dataclass(frozen=True)
class RowError:
    """One problem: where it is, as Excel shows it, and what to do about it.

    ``row`` is None for a problem with a whole sheet or file; ``column`` is "" for a whole row.
    """

    sheet: str
    row: int | None
    column: str
    reason: str

    @property
    def location(self) -> str:
        """ "工作表 组织 第 5 行 备案编号": sheet and column are the workbook's own (Chinese) names."""
        parts = []
        if self.sheet:
            parts.append(f"工作表 {self.sheet}")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(self.column)
        return " ".join(parts) or "文件"

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


@dataclass(frozen=True)
class ImportColumn:
    """A column of an import sheet: its exact title, the form field it feeds, and its help.

    ``required`` means the COLUMN must be present; whether a cell may be blank is the form's call.
    ``values`` lists the accepted words of an enumerated column (for the template and its notes).
    """

    title: str
    field: str
    required: bool = False
    help: str | Promise = ""
    values: tuple[str, ...] = ()
    example: Any = ""
    width: float | None = None
    text: bool = False  # keep as text in the template (IDs, phones, codes)


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[ImportColumn, ...]
    form_class: type[forms.Form]
    required: bool = True
    max_rows: int = 20000

    def title_of(self, field_name: str) -> str:
        for column in self.columns:
            if column.field == field_name:
                return column.title
        return ""


@dataclass
class SheetRow:
    """One validated data row. ``data`` holds the form's cleaned data."""

    sheet: str
    number: int
    data: dict[str, Any]
    present: frozenset[str]  # fields whose columns the sheet has

    def has(self, field_name: str) -> bool:
        return field_name in self.present


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: Any = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run


class _Rollback(Exception):
    """Raised inside the write transaction to undo it (dry run, or errors found while writing)."""


_HEADER_STRIP = re.compile(r"[\s\u3000]+")


def _clean_header(value: Any) -> str:
    text = _HEADER_STRIP.sub("", str(value or ""))
    return text.rstrip("*＊")


F = TypeVar("F")

# ``progress(stage, done, total)``: stage is "read", "check" or "write"; total is None when unknown.
Progress = Callable[[str, int, int | None], None]
PROGRESS_EVERY = 200  # rows between two progress calls


class SheetImporter:
    """Base of an import: validate every row first, then write through services, all or nothing.

    Subclasses declare ``sheets`` and implement:

    - ``form_kwargs(spec)``: extra keyword arguments for each row's form (e.g. a lookup table);
    - ``skip_row(spec, values)``: True for rows to ignore (e.g. the template's example rows);
    - ``check(rows)``: cross-row and database checks, reporting with ``row_error``;
    - ``write(rows)``: the writes, each through a service; wrap calls in ``attempt()`` so a
      refusal becomes a row error. It returns the summary. Errors raised while writing roll back
      everything.

    ``run(..., progress=callable)`` reports ``progress(stage, done, total)`` every few hundred rows
    ("read", "check", "write"), for a job's progress bar or the command's terminal bar;
    ``write()`` may call ``self.report("write", done, total)`` itself.
    """

    sheets: ClassVar[tuple[SheetSpec, ...]] = ()
    header_search_rows: ClassVar[int] = 10
    progress: Progress | None = None

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.warnings: list[str] = []
        self.rejected: dict[str, list[dict[str, Any]]] = {}  # raw values of rows that failed their form
        self.header_rows: dict[str, int] = {}

    # Reporting --------------------------------------------------------------------------------

    def error(self, sheet: str, row: int | None, column: str, reason: str | Promise) -> None:
        self.errors.append(RowError(sheet, row, column, str(reason)))

    def row_error(self, row: SheetRow, field_name: str | None, reason: str | Promise) -> None:
        spec = self.spec(row.sheet)
        self.error(row.sheet, row.number, spec.title_of(field_name) if field_name else "", reason)

    def report(self, stage: str, done: int, total: int | None = None) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def warn(self, message: str | Promise) -> None:
        self.warnings.append(str(message))

    def spec(self, sheet_name: str) -> SheetSpec:
        return next(s for s in self.sheets if s.name == sheet_name)

    def service_error(
        self,
        row: SheetRow,
        exc: ValidationError | PermissionDenied | IntegrityError,
        *,
        fields: Mapping[str, str] | None = None,
        default: str | None = None,
    ) -> None:
        """Report a service's refusal on ``row``; ``fields`` maps service field names to form fields."""
        fields = fields or {}
        if isinstance(exc, PermissionDenied):
            self.row_error(row, default, str(exc) or _("You are not allowed to make this change."))
            return
        if isinstance(exc, IntegrityError):
            self.row_error(row, default, _("This conflicts with a record already in the registry."))
            return
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                target = fields.get(name, name if self.spec(row.sheet).title_of(name) else None)
                if name == NON_FIELD_ERRORS:
                    target = default
                for message in errors:
                    self.row_error(row, target or default, message)
        else:
            for message in exc.messages:
                self.row_error(row, default, message)

    def attempt(
        self,
        row: SheetRow,
        call: Callable[..., F],
        *,
        fields: Mapping[str, str] | None = None,
        default: str | None = None,
        **kwargs: Any,
    ) -> F | None:
        """Call a service in a savepoint; a refusal becomes an error on ``row`` and returns None."""
        try:
            with transaction.atomic():
                return call(**kwargs)
        except (ValidationError, PermissionDenied, IntegrityError) as exc:
            self.service_error(row, exc, fields=fields, default=default)
            return None

    # Hooks ------------------------------------------------------------------------------------

    def form_kwargs(self, spec: SheetSpec) -> dict[str, Any]:
        return {}

    def skip_row(self, spec: SheetSpec, values: Mapping[str, Any]) -> bool:
        return False

    def check(self, rows: dict[str, list[SheetRow]]) -> None:
        """Cross-row and database checks after every row passed its form."""

    def write(self, rows: dict[str, list[SheetRow]]) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def before_run(self) -> None:
        """Hook before anything is read (permission checks)."""

    # Running ----------------------------------------------------------------------------------

    def run(
        self, source: str | Path | bytes | IO[bytes], *, dry_run: bool = False, progress: Progress | None = None
    ) -> ImportResult:
        self.errors, self.warnings, self.rejected, self.header_rows = [], [], {}, {}
        self.dry_run, self.progress = dry_run, progress
        self.before_run()
        try:
            book = open_workbook(source)
        except UnreadableWorkbook as exc:
            self.error("", None, "", str(exc))
            return ImportResult(errors=self.errors, warnings=self.warnings, dry_run=dry_run)
        try:
            rows = self.read(book)
        finally:
            book.close()
        if not any(e.row is None or e.row <= self.header_rows.get(e.sheet, 0) for e in self.errors):
            self.report("check", 0, None)
            self.check(rows)  # also when some rows failed: report every problem in one round
        summary = None
        if not self.errors:
            self.report("write", 0, None)
            try:
                with transaction.atomic():
                    summary = self.write(rows)
                    if self.errors or dry_run:
                        raise _Rollback
            except _Rollback:
                pass
        if self.errors:
            summary = None
        return ImportResult(errors=self.errors, warnings=self.warnings, summary=summary, dry_run=dry_run)

    def read(self, book: WorkbookType) -> dict[str, list[SheetRow]]:
        names = {_clean_header(name): name for name in book.sheetnames}
        rows: dict[str, list[SheetRow]] = {}
        found_any = False
        # Rows to read, for the progress bar: the sheets' recorded dimensions (an estimate).
        self.rows_read = 0
        self.rows_hint = sum(book[names[s.name]].max_row or 0 for s in self.sheets if s.name in names)
        for spec in self.sheets:
            rows[spec.name] = []
            actual = names.get(spec.name)
            if actual is None:
                if spec.required:
                    self.error(
                        spec.name,
                        None,
                        "",
                        _("The workbook has no sheet named “%(name)s” (it has: %(found)s).")
                        % {"name": spec.name, "found": "、".join(book.sheetnames) or "—"},
                    )
                else:
                    self.warn(_("No sheet named “%(name)s”: nothing was read from it.") % {"name": spec.name})
                continue
            found_any = True
            rows[spec.name] = self.read_sheet(spec, book[actual])
        if not found_any and not self.errors:
            self.error(
                "",
                None,
                "",
                _("The workbook has none of the sheets %(names)s (it has: %(found)s).")
                % {"names": "、".join(s.name for s in self.sheets), "found": "、".join(book.sheetnames) or "—"},
            )
        return rows

    def _find_header(self, spec: SheetSpec, ws: Any) -> tuple[int, list[str]] | None:
        titles = {c.title for c in spec.columns}
        for number, values in enumerate(ws.iter_rows(max_row=self.header_search_rows, values_only=True), start=1):
            cleaned = [_clean_header(v) for v in values]
            if titles.intersection(cleaned):
                return number, cleaned
        return None

    def read_sheet(self, spec: SheetSpec, ws: Any) -> list[SheetRow]:
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # some writers record wrong dimensions; read what is really there
        found = self._find_header(spec, ws)
        if found is None:
            self.error(
                spec.name,
                1,
                "",
                _("No header row found: the first row must hold the column titles (%(titles)s).")
                % {"titles": "、".join(c.title for c in spec.columns if c.required)},
            )
            return []
        header_row, header = found
        self.header_rows[spec.name] = header_row
        by_title = {c.title: c for c in spec.columns}
        positions: dict[str, int] = {}
        extra: list[str] = []
        for index, title in enumerate(header):
            if not title:
                continue
            column = by_title.get(title)
            if column is None:
                extra.append(title)
            elif column.field in positions:
                self.error(spec.name, header_row, title, _("This column appears twice; keep one."))
            else:
                positions[column.field] = index
        for column in spec.columns:
            if column.required and column.field not in positions:
                self.error(
                    spec.name, header_row, column.title, _("This required column is missing from the header row.")
                )
        if extra:
            self.warn(
                _("Sheet %(sheet)s: columns not in the template were ignored: %(columns)s.")
                % {"sheet": spec.name, "columns": "、".join(extra)}
            )
        if any(e.sheet == spec.name for e in self.errors):
            return []
        present = frozenset(positions)
        # One form per sheet, bound to each row in turn: copying a form's fields for every row cost
        # more than validating it. Row forms keep nothing between rows outside ``cleaned_data``.
        form = spec.form_class(data={}, **self.form_kwargs(spec))
        result: list[SheetRow] = []
        count = 0
        for number, values in sheet_values(ws, min_row=header_row + 1):
            data = {name: (values[index] if index < len(values) else None) for name, index in positions.items()}
            if all(empty_cell(v) for v in data.values()):
                continue
            if self.skip_row(spec, data):
                continue
            count += 1
            self.rows_read += 1
            if self.rows_read % PROGRESS_EVERY == 0:
                self.report("read", self.rows_read, max(self.rows_hint, self.rows_read))
            if count > spec.max_rows:
                self.error(
                    spec.name,
                    number,
                    "",
                    _("A sheet may hold at most %(n)d rows; split the file.") % {"n": spec.max_rows},
                )
                break
            data = {k: (v.strip(" \t\r\n\u3000") if isinstance(v, str) else v) for k, v in data.items()}
            form.data, form._errors = data, None  # type: ignore[attr-defined]  # re-bound: its fields read `form.data` afresh
            if form.is_valid():
                result.append(SheetRow(spec.name, number, dict(form.cleaned_data), present))
                continue
            self.rejected.setdefault(spec.name, []).append(data)
            for name, errors in form.errors.as_data().items():
                title = "" if name == NON_FIELD_ERRORS else spec.title_of(name)
                for error in errors:
                    for message in error.messages:
                        self.error(spec.name, number, title, message)
        return result
