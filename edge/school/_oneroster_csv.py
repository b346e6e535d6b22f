"""Reading a OneRoster bundle's CSV files: the folder or zip they come in, tolerant CSV parsing
that keeps physical line numbers, and typed access to one row's values by column name."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from edge.school._report import ImportFailed, Problem

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

#: A bigger bundle is refused before it is read (a zip bomb must not fill the box's memory).
MAX_BUNDLE_BYTES = 256 * 1024 * 1024
#: Older or misspelt header names (lower case) → the name this module reads.
_ALIASES = {"grade": "grades", "userid": "userids", "datalastmodified": "datelastmodified"}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ].*)?$")
_BOOLEANS = {"true": True, "false": False}


def choices(*values: str) -> dict[str, str]:
    """Allowed values of an enumeration, matched case-insensitively."""
    return {value.lower(): value for value in values}


STATUSES = choices("active", "inactive", "tobedeleted")


@dataclass(frozen=True)
class CsvRow:
    file: str
    line: int
    values: Mapping[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column.lower(), "")


@dataclass(frozen=True)
class CsvTable:
    file: str
    columns: frozenset[str]
    rows: list[CsvRow]

    def has(self, column: str) -> bool:
        return column.lower() in self.columns


def read_files(path: Path) -> dict[str, bytes]:
    """The bundle's CSV files by lower-case name, from a folder or a zip (at its root or in one
    subfolder). A bundle that cannot be opened raises ImportFailed."""
    try:
        if path.is_dir():
            return _from_folder(path)
        if zipfile.is_zipfile(path):
            return _from_zip(path)
    except (OSError, zipfile.BadZipFile) as err:
        raise ImportFailed([Problem(path.name, 0, f"cannot read the bundle: {err}")]) from err
    raise ImportFailed([Problem(path.name, 0, "not a folder or a zip file of OneRoster CSV files")])


def _from_folder(path: Path) -> dict[str, bytes]:
    found = [p.relative_to(path).as_posix() for p in [*path.glob("*.csv"), *path.glob("*/*.csv")]]
    folder = _bundle_folder(path.name, found)
    chosen = [path / name for name in found if str(PurePosixPath(name).parent) == folder]
    _check_size(path.name, sum(p.stat().st_size for p in chosen))
    return {p.name.lower(): p.read_bytes() for p in chosen}


def _from_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        members = {
            info.filename: info
            for info in archive.infolist()
            if not info.is_dir()
            and info.filename.lower().endswith(".csv")
            and not info.filename.startswith("__MACOSX/")
            and len(PurePosixPath(info.filename).parts) <= 2
        }
        folder = _bundle_folder(path.name, members)
        chosen = [m for name, m in members.items() if str(PurePosixPath(name).parent) == folder]
        _check_size(path.name, sum(m.file_size for m in chosen))
        return {PurePosixPath(m.filename).name.lower(): archive.read(m) for m in chosen}


def _bundle_folder(bundle: str, csv_paths: Collection[str]) -> str:
    folders = {str(PurePosixPath(name).parent) for name in csv_paths}
    if not folders:
        raise ImportFailed([Problem(bundle, 0, "no CSV files in the bundle")])
    if "." in folders:
        return "."
    if len(folders) == 1:
        return folders.pop()
    with_manifest = [f for f in folders if f"{f}/manifest.csv" in csv_paths]
    if len(with_manifest) == 1:
        return with_manifest[0]
    raise ImportFailed([Problem(bundle, 0, f"CSV files in several folders: {sorted(folders)}")])


def _check_size(bundle: str, size: int) -> None:
    if size > MAX_BUNDLE_BYTES:
        limit = MAX_BUNDLE_BYTES // 2**20
        raise ImportFailed([Problem(bundle, 0, f"the CSV files hold more than {limit} MiB")])


def files_to_read(
    files: Mapping[str, bytes], names: Collection[str], problems: list[Problem], warnings: list[str]
) -> tuple[str, list[str]]:
    """The OneRoster version and which of `names` (manifest names, e.g. "academicSessions") to
    read: the manifest's bulk files, or without a manifest the files present."""
    present = [name for name in names if f"{name.lower()}.csv" in files]
    if "manifest.csv" not in files:
        warnings.append("manifest.csv is missing; importing the OneRoster files present")
        return "", present
    manifest = read_table("manifest.csv", files["manifest.csv"], problems)
    if not check_columns(manifest, ("propertyName", "value"), problems):
        return "", []
    version, bulk = "", set()
    for row in manifest.rows:
        prop, value = row.get("propertyName"), row.get("value")
        if prop == "oneroster.version":
            version = value
        elif _is_bulk(row.line, prop, value, files, problems, warnings):
            bulk.add(prop.removeprefix("file.").lower())
    for name in present:
        if name.lower() not in bulk:
            warnings.append(f"{name}.csv is present but not bulk in manifest.csv; it is ignored")
    return version, [name for name in names if name.lower() in bulk]


def _is_bulk(
    line: int,
    prop: str,
    value: str,
    files: Mapping[str, bytes],
    problems: list[Problem],
    warnings: list[str],
) -> bool:
    """Whether a manifest line is `file.X,bulk` (X.csv must then exist); a `file.X` line that
    cannot be honoured is a problem."""
    if not prop.startswith("file."):
        return False
    name, kind = prop.removeprefix("file."), value.lower()
    if kind == "bulk" and f"{name.lower()}.csv" not in files:
        problems.append(Problem("manifest.csv", line, f"{prop} is bulk but {name}.csv is missing"))
        return False
    if kind == "delta":
        why = f"{prop} is delta: delta bundles are not supported"
        problems.append(Problem("manifest.csv", line, why))
    elif not kind:
        warnings.append(f"manifest.csv:{line}: {prop} has no value; taken as absent")
    elif kind not in ("bulk", "absent"):
        why = f"{prop} is {value!r}; expected bulk, delta or absent"
        problems.append(Problem("manifest.csv", line, why))
    return kind == "bulk"


def check_columns(table: CsvTable, columns: Collection[str], problems: list[Problem]) -> bool:
    """Whether the table has all `columns`; each missing one is a problem at the header."""
    missing = [
        Problem(table.file, 1, f"column {c} is missing") for c in columns if not table.has(c)
    ]
    problems.extend(missing)
    return not missing


def read_table(file: str, data: bytes, problems: list[Problem]) -> CsvTable:
    """Parse one CSV file (UTF-8 with or without BOM, any line ends). Blank lines are skipped;
    values are trimmed; columns are named by lower-cased header; short rows are padded."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        problems.append(Problem(file, line, "not UTF-8 text"))
        return CsvTable(file, frozenset(), [])
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[CsvRow] = []
    line = 1
    try:
        for fields in reader:
            if any(field.strip() for field in fields):
                if header is None:
                    header = [name.strip().lower() for name in fields]
                else:
                    rows.append(_row(file, line, header, fields, problems))
            line = reader.line_num + 1
    except csv.Error as err:
        problems.append(Problem(file, line, f"not valid CSV: {err}"))
    names = {_ALIASES.get(name, name) for name in header or [] if name}
    return CsvTable(file, frozenset(names), rows)


def _row(
    file: str, line: int, header: list[str], fields: list[str], problems: list[Problem]
) -> CsvRow:
    if any(extra.strip() for extra in fields[len(header) :]):
        why = f"the row has {len(fields)} fields, the header {len(header)}"
        problems.append(Problem(file, line, why))
    pairs = [(name, value.strip()) for name, value in zip(header, fields, strict=False) if name]
    values = {name: value for name, value in pairs if name not in _ALIASES}
    for name, value in pairs:
        if name in _ALIASES:
            values.setdefault(_ALIASES[name], value)
    return CsvRow(file, line, values)


class Fields:
    """One row's values read by column name. A bad value is added to `problems` and a harmless
    stand-in is returned, so that one pass over a bundle reports every problem in it."""

    def __init__(self, row: CsvRow, kind: str, problems: list[Problem]) -> None:
        self.row = row
        self.kind = kind
        self._problems = problems
        self.sourced_id = row.get("sourcedId")
        self.what = f"{kind} {self.sourced_id}" if self.sourced_id else kind
        if not self.sourced_id:
            self.fail("sourcedId is required")
        self.status = self.choice("status", STATUSES, default="active")

    @property
    def tobedeleted(self) -> bool:
        return self.status == "tobedeleted"

    def fail(self, why: str) -> None:
        self._problems.append(Problem(self.row.file, self.row.line, f"{self.what}: {why}"))

    def text(self, column: str) -> str | None:
        return self.row.get(column) or None

    def required(self, column: str) -> str:
        value = self.row.get(column)
        if not value:
            self.fail(f"{column} is required")
        return value

    def choice(self, column: str, allowed: Mapping[str, str], default: str = "") -> str:
        raw = self.row.get(column)
        if not raw and default:
            return default
        if not raw:
            self.fail(f"{column} is required")
            return ""
        if raw.lower() not in allowed:
            self.fail(f"unknown {column} {raw!r}")
            return ""
        return allowed[raw.lower()]

    def flag(self, column: str, default: bool) -> bool:
        raw = self.row.get(column)
        if not raw:
            return default
        if raw.lower() not in _BOOLEANS:
            self.fail(f"{column} {raw!r} is not true or false")
            return default
        return _BOOLEANS[raw.lower()]

    def items(self, column: str) -> list[str]:
        """A comma-separated list, each item trimmed, empty items dropped."""
        return [item.strip() for item in self.row.get(column).split(",") if item.strip()]

    def day(self, column: str, *, required: bool = False) -> str | None:
        """An ISO 8601 date (a date-time keeps its date part), as YYYY-MM-DD."""
        raw = self.required(column) if required else self.row.get(column)
        if not raw:
            return None
        try:
            if not _ISO_DAY.match(raw):
                raise ValueError(raw)
            return date.fromisoformat(raw[:10]).isoformat()
        except ValueError:
            self.fail(f"{column} {raw!r} is not a date (YYYY-MM-DD)")
            return None
