"""Import of enterprises and their yearly reports from a spreadsheet (.xlsx, .xls or .csv).

Three steps, so that a person sees what will happen before anything does:

1. `read_workbook` reads the file into `ImportRow`s, refusing files it cannot or should not read
   (corrupt, encrypted, too large, a zip bomb, no header) with `ImportFileError`;
2. `preview_import` parses and checks every row as the form would, against the database and the
   other rows of the file, and plans the writes: counts, every error (row, column, value, reason);
3. `apply_import` writes the plan in one transaction, or nothing when the preview has errors.

`import_file` runs the three for the command line. The key of a row is (统一社会信用代码, 年份):
importing the same file twice changes nothing and writes no history.

The package, by subdomain: `columns` (the columns and their headers), `rows` (rows as read,
and the errors), `files` (reading and refusing files, finding the header), `cells` (parsing
one cell), `parsing` (one row), `preview` (checking every row and planning the writes) and
`writing` (apply_import, import_file). The names below are the public ones; a test that
patches a limit patches the module that reads it (files.MAX_ROWS), not this one."""

from zhizao.enterprises.importing.columns import (
    COLUMNS,
    Column,
)
from zhizao.enterprises.importing.files import (
    CORRUPT_MESSAGE,
    DATA_SHEET,
    ENCRYPTED_MESSAGE,
    MAX_COMPRESSION_RATIO,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_UPLOAD_BYTES,
    decode_csv,
    is_encrypted_ooxml,
    read_upload_bytes,
    read_workbook,
    refuse_zip_bomb,
)
from zhizao.enterprises.importing.preview import (
    CITY_APPROVED_MESSAGE,
    ImportPreview,
    preview_import,
)
from zhizao.enterprises.importing.rows import (
    ImportFileError,
    ImportIssue,
    ImportRefused,
    ImportRow,
)
from zhizao.enterprises.importing.writing import (
    apply_import,
    import_file,
)

__all__ = [
    "CITY_APPROVED_MESSAGE",
    "COLUMNS",
    "CORRUPT_MESSAGE",
    "DATA_SHEET",
    "ENCRYPTED_MESSAGE",
    "MAX_COMPRESSION_RATIO",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_UPLOAD_BYTES",
    "Column",
    "ImportFileError",
    "ImportIssue",
    "ImportPreview",
    "ImportRefused",
    "ImportRow",
    "apply_import",
    "decode_csv",
    "import_file",
    "is_encrypted_ooxml",
    "preview_import",
    "read_upload_bytes",
    "read_workbook",
    "refuse_zip_bomb",
]
