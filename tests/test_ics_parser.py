"""The RFC 5545 reader: unfolding, parameters, values, components, problems with line numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from edge.school import Calendar, ImportFailed, parse_calendar
from edge.school._ics_lines import content_lines, parse_property
from edge.school._ics_values import escape_text, split_text_list, unescape_text
from tests.conftest import FIXTURES, shared_fixture

VIENNA = ZoneInfo("Europe/Vienna")


def calendar(*lines: str, newline: str = "\r\n") -> str:
    return newline.join(["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "END:VCALENDAR"]) + newline


def event(*lines: str) -> list[str]:
    return ["BEGIN:VEVENT", *lines, "END:VEVENT"]


def problems(text: str, filename: str = "t.ics") -> list[str]:
    with pytest.raises(ImportFailed) as failed:
        parse_calendar(text, filename)
    return [str(p) for p in failed.value.problems]


def parse(text: str) -> Calendar:
    return parse_calendar(text, "t.ics")


def test_unfolding_keeps_the_line_a_property_starts_on() -> None:
    text = "A:one\r\n two\r\n\tthree\nB:x\rC;P=1:y"
    assert content_lines(text) == [(1, "A:onetwothree"), (4, "B:x"), (5, "C;P=1:y")]


def test_bom_blank_lines_and_a_missing_final_newline_are_tolerated() -> None:
    text = "\ufeff" + calendar(*event("UID:a", "DTSTART:20250908T080000"), newline="\n")
    parsed = parse(text.rstrip("\n").replace("VERSION:2.0\n", "VERSION:2.0\n\n"))
    assert [e.uid for e in parsed.events] == ["a"]


def test_parameters_quoted_values_and_case() -> None:
    prop = parse_property(7, 'organizer;CN="Huber, Anna: Dr.";ROLE=CHAIR:mailto:a@b.example')
    assert (prop.name, prop.value, prop.line) == ("ORGANIZER", "mailto:a@b.example", 7)
    assert dict(prop.params) == {"CN": "Huber, Anna: Dr.", "ROLE": "CHAIR"}
    multi = parse_property(1, 'ATTENDEE;DELEGATED-TO="mailto:a@x","mailto:b@x":mailto:c@x')
    assert multi.params["DELEGATED-TO"] == "mailto:a@x,mailto:b@x"


def test_text_escapes_round_trip() -> None:
    assert unescape_text(r"a\, b\; c\nd\Ne\\f\:g") == "a, b; c\nd\ne\\f:g"
    original = "Raum: Z305, Lehrer; BB\nback\\slash"
    assert unescape_text(escape_text(original)) == original
    assert split_text_list(r"HOLIDAY,a\,b,c\\,") == ["HOLIDAY", "a,b", "c\\", ""]


def test_date_forms_and_ends() -> None:
    parsed = parse(
        calendar(
            *event("UID:d", "DTSTART;VALUE=DATE:20251027", "DTEND;VALUE=DATE:20251101"),
            *event("UID:one-day", "DTSTART;VALUE=DATE:20251027"),
            *event("UID:z", "DTSTART:20250911T120000Z", "DURATION:PT1H40M"),
            *event("UID:f", "DTSTART:20250910T093000", "DTEND:20250910T102000"),
            *event("UID:tz", 'DTSTART;TZID="Europe/Vienna":20250908T080000', "DURATION:P1W"),
            *event("UID:instant", "DTSTART:20250908T080000Z"),
        )
    )
    by_uid = {e.uid: e for e in parsed.events}
    assert (by_uid["d"].start, by_uid["d"].end, by_uid["d"].all_day) == (
        date(2025, 10, 27),
        date(2025, 11, 1),
        True,
    )
    assert by_uid["one-day"].end == date(2025, 10, 28)
    assert by_uid["z"].end == datetime(2025, 9, 11, 13, 40, tzinfo=UTC)
    assert by_uid["f"].start == datetime(2025, 9, 10, 9, 30)  # floating: naive
    assert by_uid["tz"].start == datetime(2025, 9, 8, 8, 0, tzinfo=VIENNA)
    assert by_uid["tz"].end == datetime(2025, 9, 15, 8, 0, tzinfo=VIENNA)  # P1W
    assert by_uid["instant"].end == by_uid["instant"].start


def test_recurrence_properties() -> None:
    parsed = parse(
        calendar(
            *event(
                "UID:r",
                "DTSTART;TZID=Europe/Vienna:20250908T080000",
                "RRULE:FREQ=WEEKLY;UNTIL=20251027T235959Z;BYDAY=MO",
                "EXDATE;TZID=Europe/Vienna:20250922T080000,20251006T080000",
                "EXDATE;VALUE=DATE:20251020",
                "STATUS:confirmed",
            ),
            *event(
                "UID:r",
                "RECURRENCE-ID;TZID=Europe/Vienna:20250915T080000",
                "DTSTART;TZID=Europe/Vienna:20250916T100000",
                "STATUS:CANCELLED",
            ),
        )
    )
    master, override = parsed.events
    assert master.rule is not None
    assert (master.rule.freq, master.rule.byday, master.rule.count) == ("WEEKLY", ("MO",), None)
    assert master.rule.until == datetime(2025, 10, 27, 23, 59, 59, tzinfo=UTC)
    assert master.rule.is_weekly_series
    assert master.rule.bounded
    assert master.exdates == (
        datetime(2025, 9, 22, 8, tzinfo=VIENNA),
        datetime(2025, 10, 6, 8, tzinfo=VIENNA),
        date(2025, 10, 20),
    )
    assert master.status == "CONFIRMED"
    assert override.recurrence_id == datetime(2025, 9, 15, 8, tzinfo=VIENNA)
    assert override.status == "CANCELLED"


def test_nested_components_are_skipped_but_vtimezone_maps_a_custom_tzid() -> None:
    parsed = parse(
        calendar(
            "X-WR-CALNAME:Klasse 2A",
            "BEGIN:VTIMEZONE",
            "TZID:W. Europe Standard Time",
            "X-LIC-LOCATION:Europe/Berlin",
            "BEGIN:STANDARD",
            "DTSTART:16010101T030000",
            "END:STANDARD",
            "END:VTIMEZONE",
            *event(
                "UID:outer",
                "DTSTART;TZID=W. Europe Standard Time:20250908T080000",
                "BEGIN:VALARM",
                "UID:alarm-uid",
                "TRIGGER:-PT15M",
                "END:VALARM",
            ),
        )
    )
    assert parsed.name == "Klasse 2A"
    (only,) = parsed.events
    assert only.uid == "outer"
    assert only.start == datetime(2025, 9, 8, 8, tzinfo=ZoneInfo("Europe/Berlin"))


def test_every_problem_is_reported_with_its_line() -> None:
    text = calendar(
        *event("UID:a", "DTSTART;TZID=Nowhere/Town:20250908T080000"),  # lines 3-6
        *event("DTSTART:20250908T080000"),  # 7-9
        *event("UID:c", "SUMMARY:no start"),  # 10-13
        *event("UID:d", "DTSTART:20250908", "DTEND:20250908T090000"),  # 14-18
        *event("UID:e", "DTSTART:20250908T080000", "RRULE:FREQ=FORTNIGHTLY"),  # 19-23
        *event("UID:f", "DTSTART:20250908T080000", "DURATION:1 hour"),  # 24-28
        "END:VTODO",  # 29
        *event("UID:g", "DTSTART:20250909T080000"),  # 30-33
        *event("UID:g", "DTSTART:20250916T080000"),  # 34-37
        "BROKEN LINE",  # 38
    )
    assert problems(text) == [
        "t.ics:5: DTSTART: unknown time zone 'Nowhere/Town'",
        "t.ics:7: VEVENT has no UID",
        "t.ics:10: VEVENT UID c has no DTSTART",
        "t.ics:17: DTEND and DTSTART must both be dates or both date-times",
        "t.ics:22: RRULE needs FREQ=DAILY, WEEKLY, ...: 'FREQ=FORTNIGHTLY'",
        "t.ics:27: DURATION: bad duration '1 hour'",
        "t.ics:29: END:VTODO without BEGIN:VTODO",
        "t.ics:34: duplicate UID g (also at line 30)",
        "t.ics:38: no ':' after the property name: 'BROKEN LINE'",
    ]


def test_structure_problems() -> None:
    assert problems("") == ["t.ics:1: no BEGIN:VCALENDAR"]
    assert problems("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\n") == [
        "t.ics:1: BEGIN:VCALENDAR has no END:VCALENDAR",
        "t.ics:2: BEGIN:VEVENT has no END:VEVENT",
    ]
    assert problems("UID:x\nBEGIN:VEVENT\nEND:VEVENT\n") == [
        "t.ics:1: UID outside BEGIN:VCALENDAR",
        "t.ics:2: BEGIN:VEVENT outside BEGIN:VCALENDAR",
    ]
    bad_rule = calendar(*event("UID:x", "DTSTART:20250908T080000", "RRULE:FREQ=DAILY;BYDAY=XX"))
    assert problems(bad_rule)[0].startswith("t.ics:6: bad RRULE 'FREQ=DAILY;BYDAY=XX'")


def test_bad_fixture_files_report_exact_lines() -> None:
    text = (FIXTURES / "ics" / "bad-dtstart.ics").read_text()
    assert problems(text, "bad-dtstart.ics") == [
        "bad-dtstart.ics:6: DTSTART: bad date-time '2025-09-08 08:00'",
        "bad-dtstart.ics:12: DTSTART: unknown time zone 'Mars/Olympus_Mons'",
        "bad-dtstart.ics:18: DTEND is before DTSTART",
        "bad-dtstart.ics:20: no ':' after the property name: 'SUMMARY no colon here'",
        "bad-dtstart.ics:22: VEVENT has no UID",
    ]
    text = (FIXTURES / "ics" / "bad-unterminated.ics").read_text()
    assert problems(text, "bad-unterminated.ics") == [
        "bad-unterminated.ics:4: BEGIN:VEVENT has no END:VEVENT"
    ]


def test_real_webuntis_export_parses() -> None:
    path = shared_fixture("ics", "webuntis-htl-vienna-week.ics")
    parsed = parse_calendar(path.read_text(encoding="utf-8"), path.name)
    assert parsed.name == "Stundenplan"
    assert len(parsed.events) == 46
    syp = next(e for e in parsed.events if e.uid == "f575d478-093b-4747-bd95-fdeb105c4805")
    assert syp.text("DESCRIPTION") == (
        "Systemplanung Und Projektentwicklung, Raum: Z305, Lehrer: REM"
    )
    assert syp.start == datetime(2025, 4, 23, 15, 15, tzinfo=VIENNA)


def test_real_google_export_parses() -> None:
    path = shared_fixture("ics", "google-calendar-utsc-cscb63-course.ics")
    parsed = parse_calendar(path.read_text(encoding="utf-8"), path.name)
    assert parsed.name == "CSCB63"
    assert len(parsed.events) == 60
    overrides = [e for e in parsed.events if e.recurrence_id is not None]
    assert len(overrides) == 7
    masters = {e.uid for e in parsed.events if e.rule is not None}
    assert {e.uid for e in overrides} <= masters
    office = next(e for e in parsed.events if e.uid.startswith("7negc83"))
    assert office.rule is not None
    assert office.rule.text.endswith("INTERVAL=1;BYDAY=MO")
    assert len(office.exdates) == 2
