"""The rows of a file as read, where they sit in it, and the errors that refuse a file."""

from dataclasses import dataclass

from zhizao.enterprises.importing.columns import COLUMNS, COLUMNS_BY_KEY


@dataclass(frozen=True)
class ImportIssue:
    """One error: the spreadsheet's row number (None for the file as a whole), the column's
    header as the file has it, the cell as typed, and why it cannot be imported."""

    row: int | None
    column: str
    value: str
    message: str
    position: int = -1  # the column's place in the file, to list a row's errors left to right

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class ImportFileError(Exception):
    """The file as a whole cannot be imported; `issues` says why, in Chinese."""

    def __init__(self, message: str, issues: list[ImportIssue] | None = None):
        message = str(message)  # a lazy translation becomes text in the current language
        super().__init__(message)
        self.issues = issues or [ImportIssue(None, "", "", message)]


class ImportRefused(ImportFileError):
    """apply_import refused to write (errors in the preview, or data changed since); a kind of
    ImportFileError so that a caller that reports file errors reports this one too."""


@dataclass(frozen=True)
class FileLayout:
    """Where the data is: the sheet, the header row, and each column's header as the file has it."""

    sheet: str
    header_row: int
    headers: dict[str, str]  # column key → header text in the file
    positions: dict[str, int]  # column key → 0-based column index


@dataclass(slots=True)
class ImportRow:
    """One data row as read: its row number in the spreadsheet and its non-empty cells by key."""

    number: int
    cells: dict
    layout: FileLayout | None = None

    def header(self, key: str) -> str:
        if self.layout and key in self.layout.headers:
            return self.layout.headers[key]
        return COLUMNS_BY_KEY[key].header

    def position(self, key: str) -> int:
        if self.layout and key in self.layout.positions:
            return self.layout.positions[key]
        return len(COLUMNS) + list(COLUMNS_BY_KEY).index(key)
