"""Fuzzing every reader codec: random bytes and splits never raise and never invent a card.

Each stream codec is checked against an oracle written independently of it (regular expressions
over the whole stream); the PN532 host is checked on noise that cannot hold a start code.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from functools import reduce

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.readers import (
    LineCodec,
    Pn532Codec,
    Pn532FrameParser,
    Rdm6300Codec,
    ReaderCodec,
    WiegandFormat,
    WiegandSerialCodec,
    pn532_frame,
    rdm6300_frame,
    wiegand_line,
)
from devices.readers.pn532 import ACK
from tests._device_records import split_at
from tests.test_reader_pn532 import pn532_record, polling_codec

FUZZ = settings(deadline=None, max_examples=150)

NOISE = st.binary(max_size=48)
CUTS = st.lists(st.integers(0, 1200), max_size=10)
HEX10 = st.from_regex(r"[0-9A-F]{10}", fullmatch=True)
RDM6300_FRAMES = st.one_of(
    HEX10.map(rdm6300_frame),
    HEX10.map(lambda card: rdm6300_frame(card)[:-1] + b"\r\n\x03"),  # ID-20LA
)
CARD_TEXT = st.text("0123456789ABCDEFabcdef:- \t", min_size=1, max_size=40).map(str.encode)
LINE_FRAMES = st.tuples(CARD_TEXT, st.sampled_from([b"\r", b"\n", b"\r\n"])).map(b"".join)
ALMOST_LINES = st.text("0123456789ABCDEFabcdef \r\n", max_size=40).map(str.encode)
FORMATS: tuple[WiegandFormat, ...] = ("hex", "decimal", "bits")


def wiegand_frames(fmt: WiegandFormat) -> st.SearchStrategy[bytes]:
    return st.builds(wiegand_line, st.integers(0, 0xFF), st.integers(0, 0xFFFF), st.just(fmt))


def corrupted(frames: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    def flip(frame: bytes, at: int, mask: int) -> bytes:
        at %= len(frame)
        return frame[:at] + bytes([frame[at] ^ mask]) + frame[at + 1 :]

    return st.builds(flip, frames, st.integers(0, 100), st.integers(1, 255))


def streams(frames: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Good frames, damaged frames and noise in any order."""
    atoms = st.one_of(NOISE, frames, corrupted(frames), ALMOST_LINES)
    return st.lists(atoms, max_size=12).map(b"".join)


def interleave(gaps: list[bytes], frames: list[bytes]) -> bytes:
    """gaps[0], frames[0], gaps[1], frames[1], …: there must be a gap more than frames."""
    stream = gaps[0]
    for frame, gap in zip(frames, gaps[1:], strict=False):
        stream += frame + gap
    return stream


def decode(codec: ReaderCodec, chunks: list[bytes], now: float = 0.0) -> list[str]:
    return [uid for chunk in chunks for uid in codec.feed(chunk, now).uids]


# --- oracles -----------------------------------------------------------------------------------

_RDM6300 = re.compile(rb"\x02([0-9A-Fa-f]{10})([0-9A-Fa-f]{2})(?:\r\n)?\x03")
_DIGITS = "0123456789"


def rdm6300_oracle(data: bytes) -> list[str]:
    uids = []
    for match in _RDM6300.finditer(data):
        card = bytes.fromhex(match[1].decode())
        if reduce(int.__xor__, card) == int(match[2], 16):
            uids.append(str(int.from_bytes(card[1:], "big")).zfill(10))
    return uids


def complete_lines(data: bytes, max_raw_length: int) -> list[str]:
    *lines, _unfinished = re.split(rb"\r|\n", data)
    return [line.strip().decode("latin-1") for line in lines if len(line) <= max_raw_length]


def line_oracle(data: bytes, max_length: int = 32) -> list[str]:
    allowed = set(_DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:-")
    texts = complete_lines(data, max_length + 16)
    return [t.upper() for t in texts if 0 < len(t) <= max_length and set(t) <= allowed]


def wiegand_oracle(data: bytes, fmt: WiegandFormat) -> list[str]:
    values = [_wiegand_value(text, fmt) for text in complete_lines(data, 32)]
    return [f"{value:010d}" for value in values if value is not None]


def _wiegand_value(text: str, fmt: WiegandFormat) -> int | None:
    if fmt == "hex":
        ok = len(text) == 6 and set(text) <= set(_DIGITS + "ABCDEFabcdef")
        return int(text, 16) if ok else None
    if fmt == "decimal":
        ok = len(text) == 10 and set(text) <= set(_DIGITS) and int(text) < 1 << 24
        return int(text) if ok else None
    ok = len(text) == 26 and set(text) <= {"0", "1"}
    if not ok or text[:13].count("1") % 2 or not text[13:].count("1") % 2:
        return None
    return int(text[1:25], 2)


# --- random streams against the oracles --------------------------------------------------------


@FUZZ
@given(data=streams(RDM6300_FRAMES), cuts=CUTS)
def test_rdm6300_streams(data: bytes, cuts: list[int]) -> None:
    assert decode(Rdm6300Codec(), split_at(data, cuts)) == rdm6300_oracle(data)


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(data=st.data(), cuts=CUTS)
def test_wiegand_streams(fmt: WiegandFormat, data: st.DataObject, cuts: list[int]) -> None:
    stream = data.draw(streams(wiegand_frames(fmt)))
    uids = decode(WiegandSerialCodec(fmt), split_at(stream, cuts))
    assert uids == wiegand_oracle(stream, fmt)


@FUZZ
@given(data=streams(LINE_FRAMES), cuts=CUTS)
def test_line_streams(data: bytes, cuts: list[int]) -> None:
    assert decode(LineCodec(), split_at(data, cuts)) == line_oracle(data)


@FUZZ
@given(data=streams(st.sampled_from([ACK, pn532_frame(b"\xd5\x4b\x00")])), cuts=CUTS)
def test_pn532_frames_do_not_depend_on_how_bytes_arrive(data: bytes, cuts: list[int]) -> None:
    parser = Pn532FrameParser()
    chunked = [frame for chunk in split_at(data, cuts) for frame in parser.feed(chunk)]
    assert chunked == Pn532FrameParser().feed(data)
    for frame in chunked:  # start code to DCS: preamble and postamble are not checked
        assert frame.kind in ("ack", "nack") or pn532_frame(frame.data)[2:-1] in data


# --- garbage between good frames ---------------------------------------------------------------


@FUZZ
@given(cards=st.lists(HEX10, max_size=6), gaps=st.lists(NOISE, min_size=7, max_size=7))
def test_rdm6300_garbage_between_frames(cards: list[str], gaps: list[bytes]) -> None:
    """Garbage without an STX cannot start a frame, so it can neither fake nor hide one."""
    clean = [gap.replace(b"\x02", b"") for gap in gaps]
    stream = interleave(clean, [rdm6300_frame(card) for card in cards])
    expected = [str(int(card[2:], 16)).zfill(10) for card in cards]
    assert decode(Rdm6300Codec(), [stream]) == expected


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(data=st.data(), gaps=st.lists(NOISE, min_size=6, max_size=6))
def test_line_codecs_garbage_lines_between_cards(
    fmt: WiegandFormat, data: st.DataObject, gaps: list[bytes]
) -> None:
    """A line holding a byte no card line can hold is dropped, whatever else it holds."""
    lines = data.draw(st.lists(wiegand_frames(fmt), max_size=5))
    garbage = [re.sub(rb"[\r\n]", b"", gap) + b"#\r\n" for gap in gaps]
    stream = interleave(garbage, lines)
    assert decode(WiegandSerialCodec(fmt), [stream]) == wiegand_oracle(b"".join(lines), fmt)
    assert decode(LineCodec(), [stream]) == line_oracle(b"".join(lines))


@FUZZ
@given(noise=st.binary(max_size=300).map(lambda b: bytes(c for c in b if c not in (0, 0xFF))))
def test_pn532_garbage_between_ack_and_answer(noise: bytes) -> None:
    answer = pn532_record("rsp-type2-tag-7byte-uid").hex()
    decoded = polling_codec().feed(noise + answer[:6] + noise + answer[6:] + noise, 0.0)
    assert (decoded.uids, decoded.reply) == (["0416C6C2D73881"], b"")


@FUZZ
@given(chunks=st.lists(st.tuples(st.binary(max_size=80), st.floats(0, 0.4)), max_size=30))
def test_pn532_host_never_raises_and_reads_no_card_from_noise(
    chunks: list[tuple[bytes, float]],
) -> None:
    codec, now, seen = Pn532Codec(), 0.0, b""
    codec.start(now)
    for data, elapsed in chunks:
        now += elapsed
        seen += data
        for uid in codec.feed(data, now).uids:
            uid_bytes = bytes.fromhex(uid)
            assert bytes([len(uid_bytes)]) + uid_bytes in seen
        codec.tick(now)


@FUZZ
@given(noise=st.binary(max_size=500).map(lambda b: b.replace(b"\xff", b"")), cuts=CUTS)
def test_pn532_host_ignores_noise_without_a_start_code(noise: bytes, cuts: list[int]) -> None:
    codec = polling_codec()
    for chunk in split_at(noise, cuts):
        decoded = codec.feed(chunk, 0.1)
        assert (decoded.uids, decoded.reply) == ([], b"")


# --- every split of a good frame, and a flood before one ---------------------------------------

CASES: list[tuple[str, Callable[[], ReaderCodec], bytes, str]] = [
    ("rdm6300", Rdm6300Codec, rdm6300_frame("0F002A1B3C"), "0002759484"),
    (
        "id-20la",
        Rdm6300Codec,
        bytes.fromhex("02 30 35 30 30 32 30 37 42 33 32 36 43 0D 0A 03"),
        "0002128690",
    ),
    ("wiegand-hex", lambda: WiegandSerialCodec("hex"), b"5A0144\r", "0005898564"),
    ("wiegand-decimal", lambda: WiegandSerialCodec("decimal"), b"0005898564\r\n", "0005898564"),
    (
        "wiegand-bits",
        lambda: WiegandSerialCodec("bits"),
        b"00101101000000001010001000\r\n",
        "0005898564",
    ),
    ("lines", LineCodec, b"04:a1:b2:c3\r\n", "04:A1:B2:C3"),
    (
        "pn532",
        polling_codec,
        ACK + pn532_frame(bytes.fromhex("D5 4B 01 01 00 04 08 04 04 A1 B2 C3")),
        "04A1B2C3",
    ),
]


@pytest.mark.parametrize(
    ("make", "frame", "uid"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_a_good_frame_split_anywhere_decodes_once(
    make: Callable[[], ReaderCodec], frame: bytes, uid: str
) -> None:
    for cut in range(len(frame) + 1):
        assert decode(make(), [frame[:cut], frame[cut:]]) == [uid], cut
    assert decode(make(), [bytes([byte]) for byte in frame]) == [uid]


@pytest.mark.parametrize(
    ("make", "frame", "uid"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
@pytest.mark.parametrize("seed", range(4))
def test_a_flood_of_noise_then_one_good_frame(
    make: Callable[[], ReaderCodec], frame: bytes, uid: str, seed: int
) -> None:
    noise = random.Random(seed).randbytes(10_000)
    codec = make()
    # No card in these seeds' noise; other noise can hold a line that looks like one (oracles).
    assert codec.feed(noise, 0.0).uids == []
    assert codec.feed(frame, 1.0).uids == [uid]


def test_pn532_a_noise_header_holds_an_answer_back_until_the_timeout() -> None:
    codec = polling_codec(now=0.0)
    claims_240_bytes = bytes.fromhex("00 FF F0 10")
    answer = ACK + pn532_frame(bytes.fromhex("D5 4B 01 01 00 04 08 04 04 A1 B2 C3"))
    assert codec.feed(claims_240_bytes + answer, 0.1).uids == []
    codec.tick(0.5)  # the command goes out again and the stalled header is given up
    assert codec.feed(b"", 0.51).uids == ["04A1B2C3"]
