"""Low-level reading for ``bot.inputs.sheets``: a CSV or XLSX file in, numbered rows of clean
text out.

Nothing here raises on a bad file: whatever is wrong comes back as a Problem. Cell values are
always text by the time they leave this module (XLSX numbers and dates are written the way a
person would type them), so the readers in ``bot.inputs.sheets`` deal with one kind of value.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime, time
from operator import itemgetter
from pathlib import Path

from bot.core.records import Problem
from bot.core.text import CONTROL_CHARACTERS
from bot.errors import AuditBotError

# C0 controls, DEL, C1 controls (NEL among them) and the Unicode line/paragraph separators.
# Values reach mail headers and bodies, where any of these can split a header or hide text.
_SEPARATORS = re.compile(r"[\s\-]+")
_CONTROL_NAMES = {"\n": "line break", "\r": "carriage return", "\t": "tab"}


# (the spreadsheet's own row number, header being row 1; the requested columns' stripped text,
# "" when empty or absent; problems with cells holding control characters, which are unusable).
# A plain tuple, not a NamedTuple: a sheet has tens of thousands of rows, read at every tick.
Row = tuple[int, tuple[str, ...], tuple[Problem, ...]]


class _UnreadableError(AuditBotError):
    """The whole file is unusable; carries the one Problem that says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def normalise_name(text: str) -> str:
    """``" Auditor-E mail"`` -> ``"auditor_e_mail"``: for headers and for enum-like values."""
    return _SEPARATORS.sub("_", text.strip().lower())


class Table:
    """A sheet's rows, read from the file as they are iterated (once), and its problems.

    Rows are never all in memory: a big sheet is read in bounded memory. A file that turns
    out to be unreadable part way sets ``unreadable``, and its problem is the only one: the
    rows already given must then be thrown away, as a reader does on seeing the flag.
    """

    def __init__(self, rows: Iterator[Row], problems: list[Problem]) -> None:
        self._rows = rows
        self.problems = problems
        self.unreadable: Problem | None = None

    def __iter__(self) -> Iterator[Row]:
        try:
            yield from self._rows
        except _UnreadableError as error:
            self.unreadable = error.problem


def read_table(path: Path, columns: Sequence[str], required: Collection[str]) -> Table:
    """Rows of ``columns`` (canonical names) from the sheet at ``path``, blank rows left out.

    The header is the first non-blank row. If a required column is missing, a known column
    appears twice, or the file cannot be read, no rows come back: guessing would be worse.
    """
    try:
        # Only in CSV can a stray comma move a row's values into the wrong columns.
        shifts = path.suffix.lower() == ".csv"
        return _read_table(str(path), _records(path), columns, required, shifts)
    except _UnreadableError as error:
        table = Table(iter(()), [])
        table.unreadable = error.problem
        return table


def _read_table(
    file: str,
    records: Iterator[list[str]],
    columns: Sequence[str],
    required: Collection[str],
    shifts: bool = False,
) -> Table:
    numbered = enumerate(records, start=1)
    # The first non-blank row is the header; `numbered` then carries on from the row after it.
    header_row, header = next(((n, v) for n, v in numbered if "".join(v).strip()), (0, []))
    if not header:
        needed = ", ".join(name for name in columns if name in required)
        message = f"the sheet is empty: its first row must name the columns {needed}"
        return Table(iter(()), [Problem(file, message, row=1)])
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for position, value in enumerate(header):
        name = normalise_name(value)
        if name not in columns:
            continue  # blank or unknown header: the QA team may keep their own columns
        if name in positions:
            if not any(p.column == name for p in problems):
                message = f'two columns are both called "{name}": delete or rename one'
                problems.append(Problem(file, message, row=header_row, column=name))
            continue
        positions[name] = position
    # Excel in some locales saves "CSV" with semicolons, which looks like one long header.
    hint = ""
    if any(";" in value for value in header):
        hint = '; the values seem to be separated by ";": save as "CSV UTF-8 (Comma delimited)"'
    for name in columns:
        if name in required and name not in positions:
            message = f'the sheet has no "{name}" column (row {header_row} must name the columns)'
            problems.append(Problem(file, message + hint, row=header_row, column=name))
    if problems:
        return Table(iter(()), problems)

    # Absent optional columns read a "" appended to every row; itemgetter keeps this loop fast.
    index = [positions.get(name, -1) for name in columns]
    width = max(index) + 1
    named = len(header)  # Excel writes every row as wide as the header
    last_required = max(positions[name] for name in required)
    pick = itemgetter(*index) if len(index) > 1 else lambda values: (values[index[0]],)

    def rows() -> Iterator[Row]:
        for number, values in numbered:
            joined = "".join(values)
            if not joined.strip():
                continue  # blank row
            shape: tuple[Problem, ...] = ()
            if shifts and (len(values) > named or len(values) <= last_required):
                shape = _shape_problem(file, number, _filled_width(values), named, last_required)
            if len(values) < width:
                values.extend([""] * (width - len(values)))
            values.append("")
            cells: tuple[str, ...] = pick(values)
            found: tuple[Problem, ...] = ()
            # isprintable() is a fast, broader test (no control character is printable); only
            # a row that fails it is searched properly, and only then is the bad cell looked for.
            if not joined.isprintable() and CONTROL_CHARACTERS.search(joined):
                found = tuple(
                    _control_problem(file, number, name, cell)
                    for name, cell in zip(columns, cells, strict=True)
                    # A hit in an ignored column is no concern of ours.
                    if CONTROL_CHARACTERS.search(cell)
                )
            yield (number, tuple(map(str.strip, cells)), shape or found)

    return Table(rows(), problems)


def _filled_width(values: Sequence[str]) -> int:
    """How many values a row has, not counting empty ones at its end."""
    width = len(values)
    while width and not values[width - 1].strip():
        width -= 1
    return width


def _shape_problem(
    file: str, row: int, width: int, named: int, last_required: int
) -> tuple[Problem, ...]:
    """A row with more values than the header names, or too few to reach a required column:
    its values are in the wrong columns, so it is reported once, as a whole."""
    if width > named:
        message = (
            f"this row has {width} values but the header names {named} columns: is there a "
            "stray comma, or a value with a comma in it that needs quotes?"
        )
    elif width <= last_required:
        message = (
            f"this row has {width} {'value' if width == 1 else 'values'} but the header names "
            f"{named} columns: is a value or a comma missing?"
        )
    else:
        return ()
    return (Problem(file, message, row=row),)


def _control_problem(file: str, row: int, column: str, cell: str) -> Problem:
    # The value itself is not quoted: it may be a case reference column holding a child's name,
    # and echoing hidden characters helps nobody. The characters are named instead.
    names = sorted(
        {_CONTROL_NAMES.get(c, f"U+{ord(c):04X}") for c in CONTROL_CHARACTERS.findall(cell)}
    )
    message = (
        f"this cell contains a hidden control character ({', '.join(names)}); "
        "retype the value on one line"
    )
    return Problem(file, message, row=row, column=column)


def _records(path: Path) -> Iterator[list[str]]:
    """Every row of the file as a list of text cells; raises _UnreadableError."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_records(path)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_records(path)
    raise _UnreadableError(Problem(str(path), "only .csv and .xlsx files can be read"))


def _csv_records(path: Path) -> Iterator[list[str]]:
    """Decoded and parsed as it is read, so a big file is never in memory whole."""
    file = str(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        message = f"this file cannot be read: {error.strerror or error}"
        raise _UnreadableError(Problem(file, message)) from None
    with handle:
        reader = csv.reader(handle)
        try:
            yield from reader
        except UnicodeDecodeError:
            line = _first_bad_line(path)
            message = (
                f"this file is not UTF-8 text (the first bad character is on line {line}): "
                'save it as "CSV UTF-8 (Comma delimited)" from Excel'
            )
            raise _UnreadableError(Problem(file, message)) from None
        except csv.Error as error:  # e.g. a cell over the csv module's size limit
            message = f"this CSV file cannot be read past line {reader.line_num}: {error}"
            raise _UnreadableError(Problem(file, message)) from None
        except OSError as error:
            message = f"this file cannot be read: {error.strerror or error}"
            raise _UnreadableError(Problem(file, message)) from None


def _first_bad_line(path: Path) -> int:
    """The line of the first byte that is not UTF-8, counted in the file's own bytes; read
    again line by line, only once a file has been found to be broken."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            if number == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            try:
                decoder.decode(line)
            except UnicodeDecodeError:
                return number
    return number


def _xlsx_records(path: Path) -> Iterator[list[str]]:
    """Read row by row from the open workbook, so a big sheet is never in memory whole."""
    file = str(path)
    try:
        import openpyxl  # only when a sheet is XLSX: it costs a fifth of a second to import

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as error:  # BadZipFile is not an OSError, so this is a missing file etc.
        message = f"this file cannot be read: {error.strerror or error}"
        raise _UnreadableError(Problem(file, message)) from None
    except Exception as error:  # openpyxl raises many kinds on a damaged or non-XLSX file
        raise _UnreadableError(Problem(file, _not_xlsx(error))) from None
    try:
        if not workbook.worksheets:
            raise _UnreadableError(Problem(file, "this workbook has no worksheet"))
        sheet = workbook.worksheets[0]
        # Programs other than Excel write wrong or missing sizes; trust the rows themselves.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    except _UnreadableError:
        raise
    except Exception as error:  # damage inside the zip only shows while rows are parsed
        raise _UnreadableError(Problem(file, _not_xlsx(error))) from None
    finally:
        workbook.close()


def _not_xlsx(error: Exception) -> str:
    return (
        f"this is not a readable Excel .xlsx file ({type(error).__name__}: {error}); "
        "open it in Excel and save it again as .xlsx"
    )


def _cell_text(value: object) -> str:
    """An XLSX value as the text a person would have typed."""
    if value is None:
        return ""  # empty, a merged cell's shadow, or a formula nobody calculated
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a case ref typed as 12345 must not become "12345.0"
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
