"""OneRoster CSV import: the three shared real-world bundles, hand-made good and bad bundles,
zip bundles, idempotent re-import, tombstones and the CSV quirks."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from edge.school import ImportFailed, import_oneroster, read_bundle
from edge.school._oneroster_csv import read_table
from tests.conftest import FIXTURES, shared_fixture

if TYPE_CHECKING:
    from edge.db import Database, Row
    from edge.school._report import Problem

BUNDLES = FIXTURES / "oneroster"
TABLES = ("schools", "academic_sessions", "courses", "classes", "people", "enrollments")


async def _rows(db: Database, table: str) -> dict[str, Row]:
    """The table's rows by sourced_id."""
    rows = await db.read(lambda c: c.execute(f"SELECT * FROM {table}").fetchall())
    return {row["sourced_id"]: row for row in rows}


async def _change_log(db: Database) -> list[Row]:
    return await db.read(lambda c: c.execute("SELECT * FROM change_log ORDER BY seq").fetchall())


async def _id_of(db: Database, table: str, sourced_id: str) -> Any:
    return (await _rows(db, table))[sourced_id]["id"]


def _copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(BUNDLES / name, tmp_path / name))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _bundle(tmp_path: Path, **files: str) -> Path:
    """A bundle without a manifest, made of the given files (name without .csv → text)."""
    folder = tmp_path / "bundle"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def _problems(error: pytest.ExceptionInfo[ImportFailed]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


# --- the shared bundles ---------------------------------------------------------------------------


async def test_catalyst_v1p1_bundle(db: Database) -> None:
    report = await import_oneroster(db, shared_fixture("oneroster-catalyst-moodle-v1p1"))
    assert dict(report.created) == {
        "schools": 1,
        "academic_sessions": 4,
        "classes": 1,
        "people": 6,
        "enrollments": 3,
    }
    schools = await _rows(db, "schools")
    assert schools["org-sch-222-456"]["type"] == "department"
    assert schools["org-sch-222-456"]["parent_sourced_id"] == "org-sch-222-3456"
    sessions = await _rows(db, "academic_sessions")
    assert "as-grp-222-23456" not in sessions, "tobedeleted and never imported: skipped"
    assert sessions["as-grp-222-2345"]["type"] == "semester"
    classes = await _rows(db, "classes")
    assert list(classes) == ["cls-222-123456"]
    physics = classes["cls-222-123456"]
    assert physics["class_type"] == "scheduled"
    assert physics["grades"] == '["09","10","11"]'
    assert json.loads(physics["subjects"]) == ["Science", "Physics", "Biology"]
    assert physics["course_id"] is None
    assert physics["school_id"] == schools["org-sch-222-456"]["id"]
    people = await _rows(db, "people")
    assert {sid: p["role"] for sid, p in people.items()} == {
        "usr-222-123456": "teacher",
        "usr-222-66778899": "student",
        "usr-222-1234561": "parent",
        "usr-222-987654": "teacher",
        "usr-222-1234561232": "student",
        "usr-222-567891": "student",
    }
    assert people["usr-222-123456"]["middle_name"] == "Michael"
    enrollments = await _rows(db, "enrollments")
    assert sorted(enrollments) == [
        "enr-s-222-12345-987654",
        "enr-s-222-12345-987655",
        "enr-t-222-12345-123456",
    ]
    assert {e["class_id"] for e in enrollments.values()} == {physics["id"]}
    assert (
        "classes.csv:2: class cls-222-123456: course crs-222-2023-456-12345 is in neither the"
        " bundle nor the database; course_id left empty" in report.warnings
    )
    assert (
        "enrollments.csv:5: enrollment enr-t-222-12345-123232: class cls-222-123478 is to be"
        " deleted, so is the enrollment" in report.warnings
    )


async def test_catalyst_v1p2_bundle_takes_roles_from_roles_csv(db: Database) -> None:
    bundle = read_bundle(shared_fixture("oneroster-catalyst-moodle-v1p2"))
    assert bundle.version == "1.2"
    report = await import_oneroster(db, shared_fixture("oneroster-catalyst-moodle-v1p2"))
    assert report.created["people"] == 6
    assert report.created["enrollments"] == 3
    people = await _rows(db, "people")
    assert people["usr-222-1234561"]["role"] == "administrator", "siteAdministrator"
    assert people["usr-222-123456"]["role"] == "teacher", "the primary role, not guardian"
    assert people["usr-222-567891"]["role"] == "student"
    assert report.warnings[:3] == [
        "manifest.csv:21: file.scoreScales has no value; taken as absent",
        "manifest.csv:22: file.userProfiles has no value; taken as absent",
        "manifest.csv:23: file.userResources has no value; taken as absent",
    ]


async def test_oat_bundle_maps_columns_by_header_name(db: Database) -> None:
    report = await import_oneroster(db, shared_fixture("oneroster-oat-sa-v1p1"))
    assert dict(report.created) == {"schools": 2, "classes": 3, "people": 2, "enrollments": 3}
    schools = await _rows(db, "schools")
    assert schools["12345"]["name"] == "School 1"
    assert schools["12345"]["parent_sourced_id"] == "54321"
    classes = await _rows(db, "classes")
    assert classes["class1"]["grades"] == '["2"]', "the 1.0 column name 'grade'"
    assert classes["class1"]["term_sourced_ids"] == '["1"]'
    assert classes["class1"]["location"] == "Luxembourg"
    assert classes["class3"]["school_id"] == schools["54321"]["id"]
    assert classes["class2"]["course_id"] is None
    people = await _rows(db, "people")
    assert people["user1"]["given_name"] == "ionut"
    assert people["user1"]["identifier"] == "user identifier"
    assert people["user1"]["enabled"] == 1
    enrollments = await _rows(db, "enrollments")
    assert enrollments["enrol3"]["person_id"] == people["user2"]["id"]
    assert enrollments["enrol3"]["class_id"] == classes["class3"]["id"]
    assert report.warnings == []


async def test_one_school_of_a_bundle(db: Database) -> None:
    report = await import_oneroster(db, shared_fixture("oneroster-oat-sa-v1p1"), "12345")
    assert dict(report.created) == {"schools": 2, "classes": 2, "people": 1, "enrollments": 2}
    assert sorted(await _rows(db, "classes")) == ["class1", "class2"]
    assert sorted(await _rows(db, "people")) == ["user1"]


async def test_an_unknown_school_is_refused(db: Database) -> None:
    with pytest.raises(ImportFailed) as error:
        await import_oneroster(db, shared_fixture("oneroster-oat-sa-v1p1"), "99999")
    assert _problems(error) == [
        "orgs.csv:1: school 99999 is in neither the bundle nor the database"
    ]
    assert await _change_log(db) == []


@pytest.mark.parametrize(
    "bundle",
    [
        "oneroster-catalyst-moodle-v1p1",
        "oneroster-catalyst-moodle-v1p2",
        "oneroster-oat-sa-v1p1",
        "small",
    ],
)
async def test_reimport_changes_nothing(db: Database, bundle: str) -> None:
    path = BUNDLES / bundle if bundle == "small" else shared_fixture(bundle)
    await import_oneroster(db, path)
    before = await _change_log(db)
    report = await import_oneroster(db, path)
    assert await _change_log(db) == before
    assert not report.created
    assert not report.updated
    assert sum(report.unchanged.values()) > 0


# --- a hand-made bundle ---------------------------------------------------------------------------


async def test_small_bundle(db: Database) -> None:
    report = await import_oneroster(db, BUNDLES / "small")
    assert dict(report.created) == {
        "schools": 2,
        "academic_sessions": 2,
        "courses": 1,
        "classes": 2,
        "people": 4,
        "enrollments": 4,
    }
    assert report.warnings == []
    course = (await _rows(db, "courses"))["crs-math"]
    assert (course["code"], course["grades"], course["school_sourced_id"]) == (
        "MATH9",
        '["09"]',
        "sch-1",
    )
    maths = (await _rows(db, "classes"))["cls-9a"]
    assert maths["course_id"] == course["id"]
    assert (maths["class_type"], maths["grades"], maths["periods"]) == (
        "scheduled",
        '["09","10"]',
        '["1","2"]',
    )
    assert (await _rows(db, "classes"))["cls-hr"]["course_id"] is None
    people = await _rows(db, "people")
    assert {sid: (p["role"], p["enabled"]) for sid, p in people.items()} == {
        "tch-1": ("teacher", 1),
        "stu-1": ("student", 1),
        "stu-2": ("student", 0),  # status inactive
        "adm-1": ("administrator", 0),  # districtAdministrator, enabledUser FALSE
    }
    assert people["tch-1"]["middle_name"] is None
    assert people["stu-1"]["grades"] == '["09"]'
    enrollments = await _rows(db, "enrollments")
    assert enrollments["enr-1"]["is_primary"] == 1
    assert (enrollments["enr-1"]["begin_date"], enrollments["enr-1"]["end_date"]) == (
        "2024-09-01",
        "2025-06-30",
    )
    assert enrollments["enr-4"]["role"] == "student", "'Student' is stored lower case"
    sessions = await _rows(db, "academic_sessions")
    assert sessions["term-1"]["parent_sourced_id"] == "year-2025"


async def test_a_changed_name_updates_that_row_only(db: Database, tmp_path: Path) -> None:
    bundle = _copy("small", tmp_path)
    await import_oneroster(db, bundle)
    before = len(await _change_log(db))
    _edit(bundle / "classes.csv", "Maths 9A", "Mathematics 9A")
    report = await import_oneroster(db, bundle)
    log = await _change_log(db)
    assert len(log) == before + 1
    assert (log[-1]["table_name"], log[-1]["op"], json.loads(log[-1]["fields"])) == (
        "classes",
        "upsert",
        {"title": "Mathematics 9A"},
    )
    assert dict(report.updated) == {"classes": 1}
    assert not report.created


async def test_tobedeleted_tombstones_the_row_and_its_enrollments(
    db: Database, tmp_path: Path
) -> None:
    bundle = _copy("small", tmp_path)
    await import_oneroster(db, BUNDLES / "small")
    before = len(await _change_log(db))
    _edit(bundle / "users.csv", "stu-2,inactive,", "stu-2,tobedeleted,")
    report = await import_oneroster(db, bundle)
    assert (await _rows(db, "people"))["stu-2"]["deleted"] == 1
    assert (await _rows(db, "enrollments"))["enr-3"]["deleted"] == 1
    log = await _change_log(db)
    assert [(e["table_name"], e["op"]) for e in log[before:]] == [
        ("people", "delete"),
        ("enrollments", "delete"),
    ]
    assert dict(report.updated) == {"people": 1, "enrollments": 1}
    assert report.warnings == [
        "enrollments.csv:4: enrollment enr-3: user stu-2 is to be deleted, so is the enrollment"
    ]
    await import_oneroster(db, BUNDLES / "small")
    assert (await _rows(db, "people"))["stu-2"]["deleted"] == 0, "listed again: alive again"


async def test_references_resolve_to_rows_already_in_the_database(db: Database) -> None:
    with pytest.raises(ImportFailed) as error:
        await import_oneroster(db, BUNDLES / "later")
    assert _problems(error) == [
        "enrollments.csv:2: enrollment enr-9b-1: unknown user stu-1",
        "enrollments.csv:3: enrollment enr-9b-2: unknown class cls-9a",
        "enrollments.csv:3: enrollment enr-9b-2: unknown user stu-2",
    ]
    await import_oneroster(db, BUNDLES / "small")
    report = await import_oneroster(db, BUNDLES / "later")
    assert dict(report.created) == {"classes": 1, "enrollments": 2}
    assert (await _rows(db, "classes"))["cls-9b"]["course_id"] == await _id_of(
        db, "courses", "crs-math"
    )
    enrollment = (await _rows(db, "enrollments"))["enr-9b-2"]
    assert enrollment["class_id"] == await _id_of(db, "classes", "cls-9a")
    assert enrollment["person_id"] == await _id_of(db, "people", "stu-2")


@pytest.mark.parametrize("folder", ["", "roster-export/"])
async def test_zip_bundle(db: Database, tmp_path: Path, folder: str) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for csv_file in sorted((BUNDLES / "small").iterdir()):
            zf.write(csv_file, f"{folder}{csv_file.name}")
    report = await import_oneroster(db, archive)
    assert report.created["people"] == 4
    assert report.created["enrollments"] == 4


async def test_without_a_manifest_the_files_present_are_read(db: Database, tmp_path: Path) -> None:
    bundle = _copy("small", tmp_path)
    (bundle / "manifest.csv").unlink()
    report = await import_oneroster(db, bundle)
    assert report.created["people"] == 4
    assert report.warnings == ["manifest.csv is missing; importing the OneRoster files present"]


# --- bad bundles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bundle", "problems"),
    [
        ("bad-duplicate-id", ["users.csv:4: duplicate sourcedId usr-1 (first on line 2)"]),
        (
            "bad-unknown-user",
            [
                "enrollments.csv:3: enrollment enr-2: unknown user usr-404",
                "enrollments.csv:4: enrollment enr-3: unknown class cls-404",
            ],
        ),
        (
            "bad-role",
            [
                "users.csv:2: user usr-1: unknown role 'wizard'",
                "users.csv:3: user usr-2: givenName is required",
            ],
        ),
        ("bad-delta", ["manifest.csv:4: file.users is delta: delta bundles are not supported"]),
        (
            "bad-missing-file",
            ["manifest.csv:4: file.enrollments is bulk but enrollments.csv is missing"],
        ),
    ],
)
async def test_a_bad_bundle_changes_nothing(db: Database, bundle: str, problems: list[str]) -> None:
    await import_oneroster(db, BUNDLES / "small")
    before = await _change_log(db)
    tables_before = [await _rows(db, table) for table in TABLES]
    with pytest.raises(ImportFailed) as error:
        await import_oneroster(db, BUNDLES / bundle)
    assert _problems(error) == problems
    assert await _change_log(db) == before
    assert [await _rows(db, table) for table in TABLES] == tables_before


USERS = "sourcedId,status,enabledUser,role,givenName,familyName\n"
USERS_12 = "sourcedId,givenName,familyName\nu1,A,B\n"
ROLES = "sourcedId,userSourcedId,roleType,role\n"
SESSIONS = "sourcedId,title,type,startDate,endDate\n"
ENROLLMENTS = "sourcedId,classSourcedId,userSourcedId,role\n"
BAD_VALUES = [
    (
        {"users": USERS + "u1,active,yes,student,A,B\n"},
        ["users.csv:2: user u1: enabledUser 'yes' is not true or false"],
    ),
    (
        {"users": USERS + "u1,gone,TRUE,student,A,B\n"},
        ["users.csv:2: user u1: unknown status 'gone'"],
    ),
    ({"users": USERS + ",active,TRUE,student,A,B\n"}, ["users.csv:2: user: sourcedId is required"]),
    ({"users": USERS_12}, ["users.csv:1: column role is missing"]),
    (
        {"classes": "sourcedId,title,classType\nc1,Art,lecture\n"},
        ["classes.csv:2: class c1: unknown classType 'lecture'"],
    ),
    (
        {"academicSessions": SESSIONS + "t1,T,term,1/09/2024,2025-01-01\n"},
        [
            "academicSessions.csv:2: academic session t1:"
            " startDate '1/09/2024' is not a date (YYYY-MM-DD)"
        ],
    ),
    (
        {"enrollments": ENROLLMENTS + "e1,c1,u1,parent\n"},
        ["enrollments.csv:2: enrollment e1: unknown role 'parent'"],
    ),
    ({"orgs": "sourcedId,name,type\no1,North,\n"}, ["orgs.csv:2: org o1: type is required"]),
    (
        {"users": USERS_12, "roles": ROLES + "r1,u2,primary,student\nr2,u1,x,aide\n"},
        ["roles.csv:2: role r1: unknown user u2", "roles.csv:3: role r2: unknown roleType 'x'"],
    ),
    ({"users": USERS_12, "roles": ROLES}, ["users.csv:2: user u1: no role in roles.csv"]),
]


@pytest.mark.parametrize(("files", "problems"), BAD_VALUES)
def test_bad_values_are_problems(
    tmp_path: Path, files: dict[str, str], problems: list[str]
) -> None:
    with pytest.raises(ImportFailed) as error:
        read_bundle(_bundle(tmp_path, **files))
    assert _problems(error) == problems


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as error:
        read_bundle(tmp_path / "roster.txt")
    assert _problems(error) == ["roster.txt:0: not a folder or a zip file of OneRoster CSV files"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportFailed) as error:
        read_bundle(tmp_path / "empty")
    assert _problems(error) == ["empty:0: no CSV files in the bundle"]


# --- CSV quirks -----------------------------------------------------------------------------------


def test_csv_quirks() -> None:
    data = (
        b"\xef\xbb\xbfsourcedId,grades,title,,\r\n"
        b'c1,"09,10",Short row\r\n'
        b"\r\n"
        b'c2,11,"Two\r\nlines"\r\n'
        b"c3,12"
    )
    problems: list[Problem] = []
    table = read_table("classes.csv", data, problems)
    assert problems == []
    assert table.columns == {"sourcedid", "grades", "title"}
    assert [(row.line, row.get("sourcedId"), row.get("title")) for row in table.rows] == [
        (2, "c1", "Short row"),
        (4, "c2", "Two\r\nlines"),
        (6, "c3", ""),
    ]
    assert table.rows[0].get("grades") == "09,10"


def test_csv_header_only_without_newline_and_aliases() -> None:
    problems: list[Problem] = []
    table = read_table("roles.csv", b"sourcedId,dataLastModified,grade", problems)
    assert (table.rows, problems) == ([], [])
    assert table.has("dateLastModified")
    assert table.has("grades")


def test_csv_extra_fields_and_bad_encoding_are_problems() -> None:
    problems: list[Problem] = []
    read_table("users.csv", b"a,b\n1,2,\n1,2,3\n", problems)
    read_table("orgs.csv", b"a,b\n1,2\n\xff\n", problems)
    assert [str(p) for p in problems] == [
        "users.csv:3: the row has 3 fields, the header 2",
        "orgs.csv:3: not UTF-8 text",
    ]
