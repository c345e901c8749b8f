"""Spreadsheet bases (DESIGN.md §4.8): exports and imports are classes, one per sheet or report.

Exports
    ``ListExporter`` writes one sheet: a bold, frozen header row, fixed column widths, dates as
    real date cells, and text that merely looks like a formula kept as text. ``WorkbookExporter``
    puts several sheets into one file. Both offer ``.response(filename)`` (an attachment whose
    Chinese file name survives every browser: RFC 5987 ``filename*``), ``.write(path)`` and
    ``.to_bytes()``. Workbooks are built in openpyxl's write-only mode, so memory stays flat.

Imports
    ``SheetImporter`` reads sheets by their exact (Chinese) names and maps header cells to form
    fields by column title, in any order. It reports missing required columns as errors and extra
    columns as warnings. It validates EVERY row with a Django form, then lets the subclass add
    cross-row checks. Only when nothing failed does it call ``write()`` — which must call services —
    inside one transaction. Errors are ``RowError(sheet, row, column, reason)`` with the row number
    Excel shows. A dry run performs the very same writes and rolls them back, so it catches exactly
    what a real run would, service refusals included. The .xlsx reader itself (``open_workbook``,
    the fast ``sheet_values``) is ``xlsx_reading``.
"""

from sifu.core.spreadsheets.cells import CellChoiceField, CellDateField, CellIdentifierField, CellTextField, empty_cell
from sifu.core.spreadsheets.export import (
    DATE_FORMAT,
    TEXT_FORMAT,
    XLSX_CONTENT_TYPE,
    Column,
    ListExporter,
    WorkbookExporter,
    cell_value,
    content_disposition,
    display_width,
    list_validation,
)
from sifu.core.spreadsheets.importer import (
    ImportColumn,
    ImportResult,
    RowError,
    SheetImporter,
    SheetRow,
    SheetSpec,
)
from sifu.core.spreadsheets.xlsx_reading import UnreadableWorkbook, open_workbook

__all__ = [
    "DATE_FORMAT",
    "TEXT_FORMAT",
    "XLSX_CONTENT_TYPE",
    "CellChoiceField",
    "CellDateField",
    "CellIdentifierField",
    "CellTextField",
    "Column",
    "ImportColumn",
    "ImportResult",
    "ListExporter",
    "RowError",
    "SheetImporter",
    "SheetRow",
    "SheetSpec",
    "UnreadableWorkbook",
    "WorkbookExporter",
    "cell_value",
    "content_disposition",
    "display_width",
    "empty_cell",
    "list_validation",
    "open_workbook",
]
