"""OneRoster CSV rows → records for the school tables: columns read by header name, values
checked and normalised, every problem collected."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from edge.school._oneroster_csv import CsvTable, Fields, check_columns, choices
from edge.school._report import Problem

ORG_TYPES = choices("department", "school", "district", "local", "state", "national")
SESSION_TYPES = choices("gradingPeriod", "semester", "schoolYear", "term")
CLASS_TYPES = choices("homeroom", "scheduled")
ROLE_TYPES = choices("primary", "secondary")
ENROLLMENT_ROLES = choices("student", "teacher", "aide", "administrator", "proctor")
#: OneRoster user role (matched case-insensitively) → people.role
USER_ROLES = {
    **choices("student", "teacher", "administrator", "aide", "parent", "guardian", "relative"),
    **choices("proctor", "admin"),
    "siteadministrator": "administrator",
    "districtadministrator": "administrator",
    "systemadministrator": "administrator",
}
#: Manifest names of the files read (roles.csv is in 1.2 bundles only).
IMPORTED_FILES = ("orgs", "academicSessions", "courses", "classes", "users", "enrollments", "roles")
#: table → {column: (the table it points to, what to call a row there)}
REFERENCES = {
    "classes": {"course_id": ("courses", "course"), "school_id": ("schools", "school")},
    "enrollments": {"class_id": ("classes", "class"), "person_id": ("people", "user")},
}

#: user sourcedId → (people.role, the orgs of the user's roles), from roles.csv
UserRoles = dict[str, tuple[str, frozenset[str]]]


@dataclass(frozen=True)
class Record:
    """One row to write. `refs` holds the sourcedIds of the rows it points to, by column ("" for
    none); `orgs` the orgs it belongs to, to import one school's share of a district bundle."""

    kind: str
    sourced_id: str
    file: str
    line: int
    tobedeleted: bool
    values: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    orgs: frozenset[str] = frozenset()


_Mapper = Callable[[Fields], Record]


def map_tables(tables: dict[str, CsvTable], problems: list[Problem]) -> dict[str, list[Record]]:
    """Records by table, in write order. A row to be deleted needs only its sourcedId."""
    roles = _user_roles(tables.get("roles"), tables.get("users"), problems)
    user_columns = (
        "givenName",
        "familyName",
        *(() if roles is not None else ("role",)),
    )

    def records(name: str, kind: str, columns: tuple[str, ...], mapper: _Mapper) -> list[Record]:
        table = tables.get(name)
        if table is None or not check_columns(table, ("sourcedId", *columns), problems):
            return []
        return [
            Record(kind, f.sourced_id, f.row.file, f.row.line, True) if f.tobedeleted else mapper(f)
            for f in _rows(table, kind, problems)
        ]

    return {
        "schools": records("orgs", "org", ("name", "type"), _org),
        "academic_sessions": records(
            "academicSessions",
            "academic session",
            ("title", "type", "startDate", "endDate"),
            _session,
        ),
        "courses": records("courses", "course", ("title",), _course),
        "classes": records("classes", "class", ("title", "classType"), _class),
        "people": records("users", "user", user_columns, partial(_user, roles=roles)),
        "enrollments": records(
            "enrollments", "enrollment", ("classSourcedId", "userSourcedId", "role"), _enrollment
        ),
    }


def _rows(table: CsvTable, kind: str, problems: list[Problem]) -> Iterator[Fields]:
    """Each row, but a repeated sourcedId is a problem at its second line."""
    first_line: dict[str, int] = {}
    for row in table.rows:
        sourced_id = row.get("sourcedId")
        if sourced_id in first_line:
            why = f"duplicate sourcedId {sourced_id} (first on line {first_line[sourced_id]})"
            problems.append(Problem(table.file, row.line, why))
            continue
        if sourced_id:
            first_line[sourced_id] = row.line
        yield Fields(row, kind, problems)


def _record(f: Fields, values: dict[str, Any], *orgs: str | None, **refs: str) -> Record:
    belongs = frozenset(org for org in orgs if org)
    return Record(f.kind, f.sourced_id, f.row.file, f.row.line, False, values, refs, belongs)


def _json_list(items: list[str]) -> str:
    return json.dumps(items, separators=(",", ":"), ensure_ascii=False)


def _org(f: Fields) -> Record:
    values = {
        "name": f.required("name"),
        "type": f.choice("type", ORG_TYPES),
        "identifier": f.text("identifier"),
        "parent_sourced_id": f.text("parentSourcedId"),
    }
    return _record(f, values, f.sourced_id)


def _session(f: Fields) -> Record:
    values = {
        "title": f.required("title"),
        "type": f.choice("type", SESSION_TYPES),
        "start_date": f.day("startDate", required=True),
        "end_date": f.day("endDate", required=True),
        "parent_sourced_id": f.text("parentSourcedId"),
        "school_year": f.text("schoolYear"),
    }
    return _record(f, values)


def _course(f: Fields) -> Record:
    values = {
        "title": f.required("title"),
        "code": f.text("courseCode"),
        "grades": _json_list(f.items("grades")),
        "subjects": _json_list(f.items("subjects")),
        "school_sourced_id": f.text("orgSourcedId"),
    }
    return _record(f, values, f.text("orgSourcedId"))


def _class(f: Fields) -> Record:
    values = {
        "title": f.required("title"),
        "code": f.text("classCode"),
        "class_type": f.choice("classType", CLASS_TYPES),
        "grades": _json_list(f.items("grades")),
        "subjects": _json_list(f.items("subjects")),
        "periods": _json_list(f.items("periods")),
        "term_sourced_ids": _json_list(f.items("termSourcedIds")),
        "location": f.text("location"),
    }
    course, school = f.row.get("courseSourcedId"), f.row.get("schoolSourcedId")
    return _record(f, values, school, course_id=course, school_id=school)


def _user(f: Fields, roles: UserRoles | None) -> Record:
    if roles is None:
        role, orgs = f.choice("role", USER_ROLES), frozenset(f.items("orgSourcedIds"))
    elif f.sourced_id in roles:
        role, orgs = roles[f.sourced_id]
    else:
        f.fail("no role in roles.csv")
        role, orgs = "", frozenset()
    values = {
        "role": role,
        "username": f.text("username"),
        "given_name": f.required("givenName"),
        "family_name": f.required("familyName"),
        "middle_name": f.text("middleName"),
        "identifier": f.text("identifier"),
        "email": f.text("email"),
        "grades": _json_list(f.items("grades")),
        "enabled": int(f.flag("enabledUser", default=True) and f.status != "inactive"),
    }
    return _record(f, values, *orgs, f.text("primaryOrgSourcedId"))


def _enrollment(f: Fields) -> Record:
    values = {
        "role": f.choice("role", ENROLLMENT_ROLES),
        "is_primary": int(f.flag("primary", default=False)),
        "begin_date": f.day("beginDate"),
        "end_date": f.day("endDate"),
    }
    class_id, person_id = f.required("classSourcedId"), f.required("userSourcedId")
    return _record(f, values, f.text("schoolSourcedId"), class_id=class_id, person_id=person_id)


def _user_roles(
    roles: CsvTable | None, users: CsvTable | None, problems: list[Problem]
) -> UserRoles | None:
    """1.2: each user's role is the role of type primary, else the first listed; None for 1.1."""
    columns = ("sourcedId", "userSourcedId", "roleType", "role")
    if roles is None or not check_columns(roles, columns, problems):
        return None
    known_users = {row.get("sourcedId") for row in users.rows} if users else set()
    chosen: dict[str, tuple[str, bool]] = {}
    orgs: dict[str, set[str]] = {}
    for f in _rows(roles, "role", problems):
        if f.tobedeleted:
            continue
        user, role = f.required("userSourcedId"), f.choice("role", USER_ROLES)
        primary = f.choice("roleType", ROLE_TYPES) == "primary"
        if user and user not in known_users:
            f.fail(f"unknown user {user}")
        if user not in chosen or (primary and not chosen[user][1]):
            chosen[user] = (role, primary)
        orgs.setdefault(user, set()).add(f.text("orgSourcedId") or "")
    return {user: (role, frozenset(orgs[user])) for user, (role, _) in chosen.items()}


def delete_enrollments_of_deleted_rows(
    records: dict[str, list[Record]], warnings: list[str]
) -> None:
    """An enrollment in a class, or of a user, that the bundle deletes is deleted too."""
    deleted = {
        (t, r.sourced_id) for t in ("classes", "people") for r in records[t] if r.tobedeleted
    }
    kept: list[Record] = []
    for record in records["enrollments"]:
        gone = [
            f"{noun} {record.refs[column]}"
            for column, (table, noun) in REFERENCES["enrollments"].items()
            if (table, record.refs.get(column)) in deleted
        ]
        if gone:
            warnings.append(
                f"{record.file}:{record.line}: enrollment {record.sourced_id}: "
                f"{' and '.join(gone)} {'are' if len(gone) > 1 else 'is'} to be deleted,"
                " so is the enrollment"
            )
            record = replace(record, tobedeleted=True)
        kept.append(record)
    records["enrollments"] = kept
