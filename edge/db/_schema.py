"""The schema, as registered sqlite-utils migrations. Never edit an applied migration: add one."""

from __future__ import annotations

from sqlite_utils import Database as UtilsDatabase
from sqlite_utils.migrations import Migrations

from sync._tables import SYNCABLE_ORDER, SYNCABLE_TABLES

__all__ = ["SYNCABLE", "SYNCABLE_ORDER", "migrations"]

#: Tables whose rows travel to the hub: UUIDv7 ids, tombstones, every write in the change log.
SYNCABLE = SYNCABLE_TABLES

migrations = Migrations("classroom-edge")

_SYNC_COLUMNS = "id TEXT PRIMARY KEY, deleted INTEGER NOT NULL DEFAULT 0"

_V1 = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    f"""CREATE TABLE schools ({_SYNC_COLUMNS}, sourced_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        type TEXT NOT NULL DEFAULT 'school', identifier TEXT, parent_sourced_id TEXT)""",
    f"""CREATE TABLE academic_sessions ({_SYNC_COLUMNS}, sourced_id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL, type TEXT NOT NULL, start_date TEXT NOT NULL, end_date TEXT NOT NULL,
        parent_sourced_id TEXT, school_year TEXT)""",
    f"CREATE TABLE rooms ({_SYNC_COLUMNS}, name TEXT NOT NULL UNIQUE)",
    f"""CREATE TABLE courses ({_SYNC_COLUMNS}, sourced_id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL, code TEXT, grades TEXT NOT NULL DEFAULT '[]',
        subjects TEXT NOT NULL DEFAULT '[]', school_sourced_id TEXT)""",
    f"""CREATE TABLE classes ({_SYNC_COLUMNS}, sourced_id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL, code TEXT, class_type TEXT NOT NULL DEFAULT 'scheduled',
        course_id TEXT REFERENCES courses(id), school_id TEXT REFERENCES schools(id),
        grades TEXT NOT NULL DEFAULT '[]', subjects TEXT NOT NULL DEFAULT '[]',
        periods TEXT NOT NULL DEFAULT '[]', term_sourced_ids TEXT NOT NULL DEFAULT '[]',
        location TEXT)""",
    f"""CREATE TABLE people ({_SYNC_COLUMNS}, sourced_id TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('student','teacher','admin','parent','guardian','aide',
            'administrator','proctor','relative','other')),
        username TEXT, given_name TEXT NOT NULL, family_name TEXT NOT NULL, middle_name TEXT,
        identifier TEXT, email TEXT, grades TEXT NOT NULL DEFAULT '[]',
        enabled INTEGER NOT NULL DEFAULT 1)""",
    "CREATE INDEX people_email ON people(email)",
    f"""CREATE TABLE enrollments ({_SYNC_COLUMNS}, sourced_id TEXT NOT NULL UNIQUE,
        class_id TEXT NOT NULL REFERENCES classes(id),
        person_id TEXT NOT NULL REFERENCES people(id), role TEXT NOT NULL,
        is_primary INTEGER NOT NULL DEFAULT 0, begin_date TEXT, end_date TEXT)""",
    "CREATE INDEX enrollments_person ON enrollments(person_id, role)",
    "CREATE INDEX enrollments_class ON enrollments(class_id, role)",
    f"""CREATE TABLE timetable_series ({_SYNC_COLUMNS}, source_uid TEXT NOT NULL UNIQUE,
        class_id TEXT NOT NULL REFERENCES classes(id), teacher_id TEXT REFERENCES people(id),
        room_id TEXT REFERENCES rooms(id), title TEXT NOT NULL, rrule TEXT NOT NULL,
        weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
        start_time TEXT NOT NULL, end_time TEXT NOT NULL,
        first_date TEXT NOT NULL, last_date TEXT NOT NULL)""",
    f"""CREATE TABLE lessons ({_SYNC_COLUMNS}, source_key TEXT NOT NULL UNIQUE,
        series_id TEXT REFERENCES timetable_series(id),
        class_id TEXT NOT NULL REFERENCES classes(id), teacher_id TEXT REFERENCES people(id),
        room_id TEXT REFERENCES rooms(id), title TEXT NOT NULL,
        date TEXT NOT NULL, start_time TEXT NOT NULL, end_time TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled','cancelled')))""",
    "CREATE INDEX lessons_date ON lessons(date, start_time)",
    "CREATE INDEX lessons_teacher ON lessons(teacher_id, date)",
    "CREATE INDEX lessons_class ON lessons(class_id, date)",
    "CREATE INDEX lessons_room ON lessons(room_id, date)",
    f"""CREATE TABLE holidays ({_SYNC_COLUMNS}, source_uid TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL, first_date TEXT NOT NULL, last_date TEXT NOT NULL)""",
    f"""CREATE TABLE cards ({_SYNC_COLUMNS}, uid TEXT NOT NULL UNIQUE,
        person_id TEXT REFERENCES people(id))""",
    f"""CREATE TABLE attendance ({_SYNC_COLUMNS},
        lesson_id TEXT NOT NULL REFERENCES lessons(id),
        student_id TEXT NOT NULL REFERENCES people(id),
        status TEXT NOT NULL CHECK (status IN ('present','absent','late','excused')),
        note TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT 'manual',
        recorded_by TEXT, recorded_at TEXT NOT NULL, UNIQUE (lesson_id, student_id))""",
    "CREATE INDEX attendance_student ON attendance(student_id)",
    f"""CREATE TABLE marks ({_SYNC_COLUMNS},
        student_id TEXT NOT NULL REFERENCES people(id),
        class_id TEXT NOT NULL REFERENCES classes(id),
        lesson_id TEXT REFERENCES lessons(id), value INTEGER NOT NULL,
        comment TEXT NOT NULL DEFAULT '', date TEXT NOT NULL,
        recorded_by TEXT, recorded_at TEXT NOT NULL)""",
    "CREATE INDEX marks_student ON marks(student_id, date)",
    "CREATE INDEX marks_class ON marks(class_id, date)",
    f"""CREATE TABLE homework ({_SYNC_COLUMNS},
        lesson_id TEXT NOT NULL REFERENCES lessons(id),
        class_id TEXT NOT NULL REFERENCES classes(id), due_date TEXT NOT NULL,
        text TEXT NOT NULL, recorded_by TEXT, recorded_at TEXT NOT NULL)""",
    "CREATE INDEX homework_class ON homework(class_id, due_date)",
    f"""CREATE TABLE lesson_topics ({_SYNC_COLUMNS},
        lesson_id TEXT NOT NULL UNIQUE REFERENCES lessons(id), topic TEXT NOT NULL,
        recorded_by TEXT, recorded_at TEXT NOT NULL)""",
    # seq is the per-box sequence that push sends; hlc orders fields for the merge
    """CREATE TABLE change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
        table_name TEXT NOT NULL, row_id TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('upsert','delete')), fields TEXT NOT NULL,
        hlc TEXT NOT NULL, origin TEXT NOT NULL, actor TEXT)""",
    "CREATE INDEX change_log_row ON change_log(table_name, row_id)",
    # local to the box, never synced
    """CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL CHECK (role IN ('admin','teacher','student','device')),
        person_id TEXT REFERENCES people(id), password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0, feed_token TEXT UNIQUE,
        created_at TEXT NOT NULL, password_changed_at TEXT NOT NULL)""",
    """CREATE TABLE sessions (token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id), created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL)""",
    "CREATE INDEX sessions_user ON sessions(user_id)",
]


@migrations()
def m001_initial(db: UtilsDatabase) -> None:
    for statement in _V1:
        db.execute(statement)


@migrations()
def m002_teacher_lookups(db: UtilsDatabase) -> None:
    """Permission checks ask "does this teacher teach this class?" on every diary write."""
    db.execute("CREATE INDEX lessons_teacher_class ON lessons(teacher_id, class_id)")
    db.execute("CREATE INDEX enrollments_person_class ON enrollments(person_id, class_id, role)")


@migrations()
def m003_card_readers(db: UtilsDatabase) -> None:
    """Readers (this box's hardware, not synced), every tap (append-only), entrance events."""
    db.execute(
        """CREATE TABLE readers (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,
        protocol TEXT NOT NULL, address TEXT NOT NULL, baudrate INTEGER,
        location TEXT NOT NULL CHECK (location IN ('room', 'entrance')),
        room_id TEXT REFERENCES rooms(id),
        direction TEXT CHECK (direction IN ('in', 'out', 'toggle')),
        options TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL,
        CHECK ((location = 'room') = (room_id IS NOT NULL)),
        CHECK ((location = 'entrance') = (direction IS NOT NULL)))"""
    )
    db.execute(
        f"""CREATE TABLE taps ({_SYNC_COLUMNS}, card_uid TEXT NOT NULL, reader_id TEXT NOT NULL,
        at TEXT NOT NULL, person_id TEXT REFERENCES people(id), outcome TEXT NOT NULL,
        lesson_id TEXT REFERENCES lessons(id), direction TEXT)"""
    )
    db.execute("CREATE INDEX taps_card ON taps(card_uid, at)")
    db.execute("CREATE INDEX taps_outcome ON taps(outcome, at)")
    db.execute(
        f"""CREATE TABLE presence_events ({_SYNC_COLUMNS},
        person_id TEXT NOT NULL REFERENCES people(id), reader_id TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')), at TEXT NOT NULL,
        tap_id TEXT NOT NULL REFERENCES taps(id))"""
    )
    db.execute("CREATE INDEX presence_person ON presence_events(person_id, at)")


@migrations()
def m004_pull_and_merge(db: UtilsDatabase) -> None:
    """The box's half of per-field merge (docs/sync-protocol.md §5–8).

    Each local change now records the feed cursor it was written at and, once learned, its own
    place in the school feed; the UUIDv7 change id goes (the sequence identifies a change, and
    its unique index was a third of the cost of change tracking). Pulled changes are kept as the
    hub sent them in `feed_log`: together with `change_log` it is every write the box holds, so
    the current version of any field is the newest write of it in either. A pulled change keeps
    only the names of the fields it wrote: the values that won are in the diary tables, those that
    lost a concurrent write or that the schema refused are in `sync_conflicts`.
    """
    db.execute(
        # no AUTOINCREMENT: change-log rows are never deleted, so the rowid alone is gap-free
        """CREATE TABLE change_log_v4 (seq INTEGER PRIMARY KEY,
        table_name TEXT NOT NULL, row_id TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('upsert','delete')), fields TEXT NOT NULL,
        hlc TEXT NOT NULL, origin TEXT NOT NULL, actor TEXT,
        cursor INTEGER NOT NULL DEFAULT 0, feed_seq INTEGER)"""
    )
    db.execute(
        "INSERT INTO change_log_v4 (seq, table_name, row_id, op, fields, hlc, origin, actor)"
        " SELECT seq, table_name, row_id, op, fields, hlc, origin, actor FROM change_log"
    )
    db.execute("DROP TABLE change_log")
    db.execute("ALTER TABLE change_log_v4 RENAME TO change_log")
    db.execute("CREATE INDEX change_log_row ON change_log(table_name, row_id)")
    # keyed by row: the merge looks versions up by row, nothing reads by feed position
    db.execute(
        """CREATE TABLE feed_log (table_name TEXT NOT NULL, row_id TEXT NOT NULL,
        feed_seq INTEGER NOT NULL, node TEXT NOT NULL, op TEXT NOT NULL, hlc TEXT NOT NULL,
        cursor INTEGER NOT NULL, fields TEXT NOT NULL,
        PRIMARY KEY (table_name, row_id, feed_seq)) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE sync_conflicts (id INTEGER PRIMARY KEY,
        reason TEXT NOT NULL CHECK (reason IN ('concurrent', 'refused')),
        table_name TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL,
        losing_value TEXT, losing_hlc TEXT NOT NULL, losing_node TEXT NOT NULL,
        winning_value TEXT, winning_hlc TEXT, winning_node TEXT, detail TEXT NOT NULL DEFAULT '',
        detected_at TEXT NOT NULL)"""
    )


@migrations()
def m005_lesson_materials(db: UtilsDatabase) -> None:
    """Catalog items teachers attach to lessons or pin: local to the box, never synced."""
    db.execute(
        """CREATE TABLE lesson_materials (lesson_id TEXT NOT NULL REFERENCES lessons(id),
        entry_id TEXT NOT NULL, attached_by TEXT NOT NULL, attached_at TEXT NOT NULL,
        PRIMARY KEY (lesson_id, entry_id))"""
    )
    db.execute(
        """CREATE TABLE content_pins (entry_id TEXT PRIMARY KEY, pinned_by TEXT NOT NULL,
        pinned_at TEXT NOT NULL)"""
    )


@migrations()
def m006_panel_agents(db: UtilsDatabase) -> None:
    """Panel agents, keyed by the id each agent makes and keeps (never by its address): pending
    PIN pairings, and paired agents with the device account whose session is their token."""
    db.execute(
        """CREATE TABLE panel_pairings (agent_id TEXT PRIMARY KEY, name TEXT NOT NULL,
        room_hint TEXT NOT NULL DEFAULT '', address TEXT NOT NULL, pin TEXT,
        claim_hash TEXT NOT NULL, requested_at TEXT NOT NULL, expires_at TEXT NOT NULL,
        wrong_pins INTEGER NOT NULL DEFAULT 0, locked_until TEXT,
        room_id TEXT REFERENCES rooms(id), confirmed_by TEXT, confirmed_at TEXT)"""
    )
    db.execute(
        """CREATE TABLE panel_agents (agent_id TEXT PRIMARY KEY, name TEXT NOT NULL,
        room_id TEXT REFERENCES rooms(id), user_id TEXT NOT NULL UNIQUE REFERENCES users(id),
        paired_by TEXT NOT NULL, paired_at TEXT NOT NULL)"""
    )


@migrations()
def m007_panels(db: UtilsDatabase) -> None:
    """Each room's panel and how the box reaches its RS-232 or LAN control port (not synced:
    wiring is this box's business)."""
    db.execute(
        """CREATE TABLE panels (id TEXT PRIMARY KEY,
        room_id TEXT NOT NULL UNIQUE REFERENCES rooms(id), protocol TEXT NOT NULL,
        address TEXT NOT NULL UNIQUE, options TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL)"""
    )
