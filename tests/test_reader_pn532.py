"""PN532 over HSU: frames against every fixture record, and the host state machine."""

from __future__ import annotations

import re

import pytest

from devices.readers import Pn532Codec, Pn532FrameParser, pn532_frame
from devices.readers.pn532 import ACK, IN_LIST_PASSIVE_TARGET, NACK, WAKE_UP
from tests._device_records import Record, fixture_record, records


def pn532_record(name: str) -> Record:
    return fixture_record("pn532-hsu-frames.txt", name)


# --- PN532: frames -----------------------------------------------------------------------------


def test_pn532_every_record_parses_to_the_frames_the_fixture_found() -> None:
    for record in records("pn532-hsu-frames.txt"):
        if record.get("hex") is not None:
            _check_frames(record.hex(), record["frames_found"], record.name)
        for line in record.log():
            _check_frames(line.data, line.comment, record.name)


def _check_frames(data: bytes, found: str, name: str) -> None:
    frames = Pn532FrameParser().feed(data)
    labels = [_label(frame.kind, frame.data) for frame in frames]
    assert labels == _expected_labels(found), name
    for frame in frames:
        if frame.kind in ("data", "error"):
            assert pn532_frame(frame.data) in data, name  # the builder gives the exact bytes


def _label(kind: str, data: bytes) -> str:
    if kind in ("ack", "nack"):
        return kind.upper()
    length = f"(len={len(data)})"
    return ("EXT" if len(data) > 254 else data[:2].hex().upper()) + length


def _expected_labels(found: str) -> list[str]:
    if found == "no valid frame":
        return []
    items = re.findall(r"(ACK|NACK|EXT|[0-9A-F]{2,4})(?:\((len=\d+))?", found)
    return [name + (f"({length})" if length else "") for name, length in items]


def test_pn532_frames_from_devices_md() -> None:
    assert bytes.fromhex("00 00 FF 00 FF 00") == ACK
    assert bytes.fromhex("00 00 FF FF 00 00") == NACK
    assert b"\x55\x55" + bytes(15) == WAKE_UP
    assert pn532_frame(b"\xd4\x02") == bytes.fromhex("00 00 FF 02 FE D4 02 2A 00")
    assert pn532_frame(bytes.fromhex("D4 14 01 14 01")) == bytes.fromhex(
        "00 00 FF 05 FB D4 14 01 14 01 02 00"
    )
    assert bytes.fromhex("00 00 FF 04 FC D4 4A 01 00 E1 00") == IN_LIST_PASSIVE_TARGET


def test_pn532_builds_the_extended_frame_of_the_fixture() -> None:
    record = pn532_record("cmd-extended-frame")
    assert pn532_frame(b"\xd4\x00" + b"123" + bytes(256)) == record.hex()


# --- PN532: the host state machine -------------------------------------------------------------

SAM_ANSWERED = bytes.fromhex("00 00 FF 00 FF 00 00 00 FF 02 FE D5 15 16 00")
RETRIES_ANSWERED = ACK + pn532_frame(b"\xd5\x33")


def polling_codec(now: float = 0.0) -> Pn532Codec:
    """A codec past its set-up, whose InListPassiveTarget has just gone out."""
    codec = Pn532Codec(poll_interval=0.1, timeout=0.5)
    codec.start(now)
    codec.feed(SAM_ANSWERED, now)
    assert codec.feed(RETRIES_ANSWERED, now).reply == IN_LIST_PASSIVE_TARGET
    return codec


def test_pn532_start_wakes_the_chip_then_configures_it() -> None:
    codec = Pn532Codec()
    sam = bytes.fromhex("00 00 FF 05 FB D4 14 01 14 01 02 00")
    assert codec.start(0.0) == WAKE_UP + sam
    assert codec.feed(ACK, 0.01).reply == b""
    set_retries = codec.feed(pn532_frame(b"\xd5\x15"), 0.02).reply
    assert set_retries == pn532_frame(bytes.fromhex("D4 32 05 FF 01 02"))
    assert codec.feed(RETRIES_ANSWERED, 0.03).reply == IN_LIST_PASSIVE_TARGET


def test_pn532_sam_answer_in_one_read_or_in_two() -> None:
    log = pn532_record("real-log-node-pn532-samconfig").log()
    one_read, *two_reads = [line.data for line in log if not line.from_host]
    for reads in ([one_read], two_reads):
        codec = Pn532Codec()
        codec.start(0.0)
        replies = b"".join(codec.feed(data, 0.0).reply for data in reads)
        assert replies == pn532_frame(bytes.fromhex("D4 32 05 FF 01 02"))


@pytest.mark.parametrize(
    ("name", "uids"),
    [
        ("rsp-no-target", []),
        ("rsp-type2-tag-7byte-uid", ["0416C6C2D73881"]),
        ("rsp-dep-target-7byte-uid", ["0416C6C2D73881"]),
        ("rsp-type1-jewel", []),
        ("rsp-inlistpassivetarget-short", []),
    ],
)
def test_pn532_target_answers_then_the_next_poll(name: str, uids: list[str]) -> None:
    codec = polling_codec()
    decoded = codec.feed(pn532_record(name).hex(), 1.0)
    assert (decoded.uids, decoded.reply) == (uids, b"")
    assert codec.tick(1.05) == b""
    assert codec.tick(1.1) == IN_LIST_PASSIVE_TARGET


def test_pn532_four_byte_uid() -> None:
    answer = pn532_frame(bytes.fromhex("D5 4B 01 01 00 04 08 04 04 A1 B2 C3"))
    assert polling_codec().feed(ACK + answer, 0.0).uids == ["04A1B2C3"]


def test_pn532_libnfc_no_target_log_gives_nothing() -> None:
    log = pn532_record("real-log-libnfc-issue-85-nfc-list").log()
    codec = polling_codec()
    for line in (line for line in log if not line.from_host):
        assert codec.feed(line.data, 0.0).uids == []


def test_pn532_garbage_at_a_wrong_baud_rate_is_skipped() -> None:
    garbage = pn532_record("real-log-libnfc-issue-355-garbage").log()[-1].data
    codec = polling_codec()
    assert codec.feed(garbage, 0.0) == codec.feed(b"", 0.0)
    answer = pn532_record("rsp-type2-tag-7byte-uid").hex()
    assert codec.feed(garbage + answer, 0.1).uids == ["0416C6C2D73881"]


def test_pn532_sends_again_on_timeout_and_starts_over_after_three() -> None:
    codec = polling_codec(now=0.0)
    assert codec.tick(0.49) == b""
    assert codec.tick(0.5) == IN_LIST_PASSIVE_TARGET
    codec.feed(ACK, 0.6)  # acknowledged, but the answer never comes
    assert codec.tick(1.05) == b""
    assert codec.tick(1.1) == IN_LIST_PASSIVE_TARGET
    assert codec.tick(1.6) == Pn532Codec().start(0.0)  # the wake-up again


def test_pn532_nack_sends_the_command_again() -> None:
    codec = polling_codec()
    assert codec.feed(NACK, 0.1).reply == IN_LIST_PASSIVE_TARGET


def test_pn532_error_frame_starts_over() -> None:
    codec = polling_codec()
    error = pn532_record("error-frame").hex()
    assert codec.feed(ACK + error, 0.1).reply == Pn532Codec().start(0.0)


def test_pn532_unexpected_answers_are_ignored() -> None:
    codec = polling_codec()
    firmware = pn532_record("rsp-getfirmwareversion").hex()
    assert codec.feed(firmware + SAM_ANSWERED, 0.1).reply == b""
    late = Pn532Codec()  # nothing sent yet: every frame is unsolicited
    assert late.feed(pn532_record("rsp-type2-tag-7byte-uid").hex(), 0.0).uids == []
