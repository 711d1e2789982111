"""Reported values (上报值): figures from outside the platform (5G base stations from the
operators, output from the statistics bureau) that a district officer or the city enters for a
region and a period, and that count once the city approves them.

A table of them is loaded in three steps, like the enterprise import:

1. `read_values_file` reads an .xlsx/.xls/.csv into `ValuesRow`s, refusing files it cannot or
   should not read (with the enterprise import's checks: size, zip bomb, encryption, encoding);
2. `check_values` parses and checks every row against the plan, the regions, the user and the
   other rows of the file: counts and every error (row, column, value, reason);
3. `apply_values` writes all of it in one transaction with history, or nothing, and recomputes
   the indicator values whose approved figures changed.

`import_values` runs the three for the command line; `approve_reported_value` is the city's
approval of one submitted value. The key of a value is (indicator, region, year, quarter):
re-importing the same file changes nothing and writes no history. A value of an indicator the
platform computes from enterprise data is an official figure (e.g. the statistics bureau's),
whole-year only; once approved it is the figure of record (see services.official_figures).

The package, by subdomain: `reading` (the columns, their headers and reading a file),
`checking` (checking every row, the preview, who may report for which region), `planning`
(what writing the checked values would change) and `writing` (apply_values, import_values,
approve_reported_value and their errors). The names below are the public ones; a test that
patches a constant patches the module that reads it (checking.NOTE_MAX), not this one."""

from zhizao.monitoring.reported.checking import (
    COUNT_UNITS,
    NOTE_MAX,
    VALUE_LIMIT,
    VALUE_PLACES,
    WHOLE_YEAR_WORDS,
    ValuesPreview,
    acts_as_city,
    check_values,
    is_percent,
    may_report_for,
    plan_regions,
)
from zhizao.monitoring.reported.planning import ValueEntry
from zhizao.monitoring.reported.reading import (
    COLUMNS,
    COLUMNS_BY_KEY,
    HEADER_KEYS,
    TEMPLATE_HEADER,
    ValuesColumn,
    ValuesRow,
    header_key,
    read_values_file,
)
from zhizao.monitoring.reported.writing import (
    ReportedValueError,
    ReportedValueForbidden,
    ValuesRefused,
    apply_values,
    approve_reported_value,
    import_values,
)

__all__ = [
    "COLUMNS",
    "COLUMNS_BY_KEY",
    "COUNT_UNITS",
    "HEADER_KEYS",
    "NOTE_MAX",
    "TEMPLATE_HEADER",
    "VALUE_LIMIT",
    "VALUE_PLACES",
    "WHOLE_YEAR_WORDS",
    "ReportedValueError",
    "ReportedValueForbidden",
    "ValueEntry",
    "ValuesColumn",
    "ValuesPreview",
    "ValuesRefused",
    "ValuesRow",
    "acts_as_city",
    "apply_values",
    "approve_reported_value",
    "check_values",
    "header_key",
    "import_values",
    "is_percent",
    "may_report_for",
    "plan_regions",
    "read_values_file",
]
