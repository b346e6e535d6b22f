"""Reader codecs against every record of ../shared/fixtures/devices and the DEVICES.md examples.

Fuzzing (random splits, noise, floods) is in test_reader_fuzz.py.
"""

from __future__ import annotations

import re

import pytest

from devices.readers import (
    PROTOCOLS,
    LineCodec,
    Pn532Codec,
    Rdm6300Codec,
    WiegandFormat,
    WiegandSerialCodec,
    decode_wiegand26,
    em4100_uid,
    make_codec,
    rdm6300_frame,
    wiegand26_bits,
    wiegand_line,
)
from tests._device_records import Record, fixture_record, hex_in, records

FORMATS: tuple[WiegandFormat, ...] = ("hex", "decimal", "bits")

# --- RDM6300 / EM4100 ---------------------------------------------------------------------------


def test_rdm6300_worked_example_from_devices_md() -> None:
    frame = bytes.fromhex("02 30 46 30 30 32 41 31 42 33 43 30 32 03")
    assert rdm6300_frame("0F002A1B3C") == frame
    assert em4100_uid("0F002A1B3C") == "0002759484"
    assert Rdm6300Codec().feed(frame, 0.0).uids == ["0002759484"]


def test_rdm6300_every_framerecord() -> None:
    frames = [r for r in records("rdm6300-em4100-frames.txt") if r.get("uid_hex10")]
    assert len(frames) == 18
    for record in frames:
        expected = [record["uid_dec10"]] if record["checksum_ok"] == "yes" else []
        assert Rdm6300Codec().feed(record.hex(), 0.0).uids == expected, record.name
        assert em4100_uid(record["uid_hex10"]) == record["uid_dec10"], record.name
        if expected and len(record.hex()) == 14:
            assert rdm6300_frame(record["uid_hex10"]) == record.hex(), record.name


def test_rdm6300_fake_readings_pass_the_checksum_but_not_two_reads() -> None:
    """Noise on an open RX line (Tasmota #9522) forms frames with a valid XOR: one frame cannot
    be told from a card, so `required_reads=2` demands the same frame twice in a row."""
    fakes = [
        r
        for r in records("rdm6300-em4100-frames.txt")
        if "NOT a real card" in (r.get("note") or "")
    ]
    assert len(fakes) == 7
    for fake in fakes:
        assert Rdm6300Codec().feed(fake.hex(), 0.0).uids == [fake["uid_dec10"]], fake.name
        assert Rdm6300Codec(required_reads=2).feed(fake.hex(), 0.0).uids == [], fake.name
    one_after_another = b"".join(fake.hex() for fake in fakes)
    assert Rdm6300Codec(required_reads=2).feed(one_after_another, 0.0).uids == []


def test_rdm6300_two_reads_still_pass_a_real_card_on_its_second_frame() -> None:
    codec = Rdm6300Codec(required_reads=2, read_window=0.5)
    frame = rdm6300_frame("0F002A1B3C")
    assert codec.feed(frame, 0.0).uids == []
    assert codec.feed(frame, 0.1).uids == ["0002759484"]
    assert codec.feed(frame, 0.2).uids == ["0002759484"]  # repeats go on to the runner
    assert codec.feed(frame, 1.0).uids == []  # too long after: a new presentation


def test_rdm6300_mad_tinkerer_stream_with_a_strict_parser() -> None:
    stream = fixture_record("rdm6300-em4100-frames.txt", "stream-mad-tinkerer-test_card_reader")
    strict = stream["expected_reads_in_order (strict STX..ETX parser)"]
    assert Rdm6300Codec().feed(stream.hex(), 0.0).uids == re.findall(r"\d{10}", strict)


def test_rdm6300_repeating_frame_is_one_tap_once_debounced() -> None:
    stream = fixture_record("rdm6300-em4100-frames.txt", "stream-esp32-issue-1405-repeat")
    uids = Rdm6300Codec().feed(stream.hex(), 0.0).uids
    assert uids == ["0003251408", "0003251408"]  # two whole frames; the runner debounces
    assert Rdm6300Codec(required_reads=2).feed(stream.hex(), 0.0).uids == ["0003251408"]


def test_rdm6300_id20la_crlf_before_etx_is_accepted() -> None:
    record = fixture_record("rdm6300-em4100-frames.txt", "id20la-crlf-before-etx")
    assert len(record.hex()) == 16
    assert Rdm6300Codec().feed(record.hex(), 0.0).uids == ["0002128690"]


@pytest.mark.parametrize(
    "body",
    [b"0F002A1B3C0", b"0F002A1B3C02\r", b"0F002A1B3C02\n\r", b"0F002A1B3C02AA", b"0F002A1B3G02"],
)
def test_rdm6300_malformed_bodies_are_dropped(body: bytes) -> None:
    codec = Rdm6300Codec()
    assert codec.feed(b"\x02" + body + b"\x03", 0.0).uids == []
    assert codec.feed(rdm6300_frame("0F002A1B3C"), 0.0).uids == ["0002759484"]


def test_rdm6300_resynchronises_on_stx_inside_a_frame() -> None:
    frame = rdm6300_frame("0F002A1B3C")
    assert Rdm6300Codec().feed(frame[:7] + frame, 0.0).uids == ["0002759484"]


# --- Wiegand -----------------------------------------------------------------------------------


def test_wiegand_worked_example_from_devices_md() -> None:
    assert wiegand26_bits(90, 324) == "00101101000000001010001000"
    assert decode_wiegand26("00101101000000001010001000") == (90, 324)
    assert wiegand_line(90, 324, "hex") == b"5A0144\r"
    assert WiegandSerialCodec("hex").feed(b"5A0144\r", 0.0).uids == ["0005898564"]
    assert WiegandSerialCodec("decimal").feed(b"0005898564\r\n", 0.0).uids == ["0005898564"]


def test_wiegand_every_vectorrecord() -> None:
    vectors = [r for r in records("wiegand-26bit-vectors.txt") if r.get("bits")]
    assert len(vectors) == 30
    for record in vectors:
        if record["parity_ok"] == "yes":
            _check_good_wiegand_vector(record)
        else:
            assert decode_wiegand26(record["bits"]) is None, record.name
            line = record["bits"].encode() + b"\r\n"
            assert WiegandSerialCodec("bits").feed(line, 0.0).uids == [], record.name


def _check_good_wiegand_vector(record: Record) -> None:
    facility, card = int(record["facility_code"]), int(record["card_number"])
    uid = record["data24_dec10"]
    assert decode_wiegand26(record["bits"]) == (facility, card), record.name
    assert wiegand26_bits(facility, card) == record["bits"], record.name
    assert wiegand_line(facility, card, "hex") == hex_in(record["converter_hex_line"])
    assert wiegand_line(facility, card, "hex") == record["data24_hex"].encode() + b"\r"
    for fmt in FORMATS:
        line = wiegand_line(facility, card, fmt)
        assert WiegandSerialCodec(fmt).feed(line, 0.0).uids == [uid], (record.name, fmt)
    assert wiegand_line(facility, card, "decimal") == uid.encode() + b"\r\n"


def test_same_card_gives_the_same_uid_on_rdm6300_and_wiegand() -> None:
    record = fixture_record("wiegand-26bit-vectors.txt", "paulo-raca-issue-8-same-card-three-ways")
    assert "facility 77, card 30211" in record["expect"]
    rdm6300_uids = Rdm6300Codec().feed(hex_in(record["expect"]), 0.0).uids
    wiegand_uids = WiegandSerialCodec("hex").feed(wiegand_line(77, 30211, "hex"), 0.0).uids
    assert rdm6300_uids == wiegand_uids == ["0005076483"]


@pytest.mark.parametrize(
    ("fmt", "line"),
    [
        ("hex", b"5A014\r"),
        ("hex", b"5A01445\r"),
        ("hex", b"5A01G4\r"),
        ("decimal", b"000589856\r\n"),
        ("decimal", b"0016777216\r\n"),  # above 24 bits
        ("bits", b"0010110100000000101000100\r\n"),
        ("bits", b"00101101000000001010001001\r\n"),  # odd parity broken
    ],
)
def test_wiegand_bad_lines_are_dropped(fmt: WiegandFormat, line: bytes) -> None:
    codec = make_codec(f"wiegand-{fmt}")
    assert codec.feed(line, 0.0).uids == []
    assert codec.feed(wiegand_line(90, 324, fmt), 0.0).uids == ["0005898564"]


def test_wiegand_rejects_values_outside_26_bits() -> None:
    with pytest.raises(ValueError, match="facility"):
        wiegand_line(256, 0, "hex")
    with pytest.raises(ValueError, match="format"):
        WiegandSerialCodec("octal")  # type: ignore[arg-type]


# --- Generic line readers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "uids"),
    [
        (b"  abc123 \r\n", ["ABC123"]),
        (b"04:a1:b2:c3\n", ["04:A1:B2:C3"]),
        (b"12-34\r", ["12-34"]),
        (b"A" * 32 + b"\r\n", ["A" * 32]),
        (b"A" * 33 + b"\r\n", []),
        (b"ab c\r\n12#4\r\n\xc3\xa9\r\n\r\n \r\n", []),
        (b"one\rtwo\nthree\r\n", ["ONE", "TWO", "THREE"]),
    ],
)
def test_line_reader(data: bytes, uids: list[str]) -> None:
    assert LineCodec().feed(data, 0.0).uids == uids


def test_line_reader_drops_a_stale_partial_line() -> None:
    codec = LineCodec(max_length=8, stale_after=0.5)
    assert codec.feed(b"garb", 0.0).uids == []
    assert codec.feed(b"CARD1\r\n", 0.4).uids == []  # "garbCARD1" is 9 characters
    assert codec.feed(b"garb", 1.0).uids == []
    assert codec.feed(b"CARD1\r\n", 2.0).uids == ["CARD1"]


# --- make_codec --------------------------------------------------------------------------------


def test_make_codec_knows_every_protocol() -> None:
    assert PROTOCOLS == {
        "rdm6300": 9600,
        "pn532": 115200,
        "wiegand-hex": 9600,
        "wiegand-decimal": 9600,
        "wiegand-bits": 9600,
        "lines": 9600,
        "wedge": 0,
    }
    assert isinstance(make_codec("rdm6300", {"required_reads": 2}), Rdm6300Codec)
    assert isinstance(make_codec("pn532", {"poll_interval": 1, "timeout": 0.2}), Pn532Codec)
    assert isinstance(make_codec("lines", {"max_length": 16}), LineCodec)
    for fmt in FORMATS:
        codec = make_codec(f"wiegand-{fmt}", {"stale_after": 1.0})
        assert codec.feed(wiegand_line(90, 324, fmt), 0.0).uids == ["0005898564"]


@pytest.mark.parametrize(
    ("protocol", "options", "message"),
    [
        ("mifare", {}, "'mifare'"),
        ("rdm6300", {"timeout": 1.0}, "no setting 'timeout'"),
        ("rdm6300", {"required_reads": 1.5}, "must be an integer"),
        ("lines", {"max_length": True}, "must be an integer"),
        ("pn532", {"timeout": "1"}, "must be a number"),
        ("pn532", {"timeout": 0}, "timeout > 0"),
        ("rdm6300", {"required_reads": 0}, "at least 1"),
    ],
)
def test_make_codec_rejects_what_it_does_not_know(
    protocol: str, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        make_codec(protocol, options)
