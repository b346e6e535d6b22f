"""Fuzzing every panel codec: any split, garbage, damaged frames and floods never raise, never
change what is decoded, never invent an answer, and never hide a good one."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from devices.panels import (
    LfdCodec,
    LgCodec,
    PanelCodec,
    PrometheanCodec,
    Reply,
    SamsungCodec,
    SmartCodec,
)
from devices.panels.lg import lg_reply
from devices.panels.promethean import promethean_frame
from devices.panels.samsung import mdc_frame
from tests._device_records import split_at

FUZZ = settings(deadline=None, max_examples=120)
CUTS = st.lists(st.integers(0, 800), max_size=10)
NOISE = st.binary(max_size=48)
BYTE = st.integers(0, 255)


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[], PanelCodec]
    answers: st.SearchStrategy[bytes]
    #: noise without these bytes can neither start an answer nor end one
    framing: bytes
    #: how noise is set apart from the answer after it (SMART answers are whole lines)
    gap_end: bytes = b""
    #: whether noise is only noise (a SMART line saying `invalid` or `volume=5` is an answer)
    quiet: Callable[[bytes], bool] = lambda noise: True


SMART_ANSWERS = st.one_of(
    st.sampled_from([b"powerstate=on", b"powerstate=ready", b"mute=on", b"input=HDMI2"]),
    st.integers(0, 100).map(lambda level: b"volume=%d" % level),
).map(lambda line: line + b"\r\n>")
SMART_WORDS = re.compile(rb"invalid|(powerstate|input|volume|mute)\s*=", re.IGNORECASE)
CASES = [
    Case(
        "smart",
        SmartCodec,
        SMART_ANSWERS,
        b"\r\n>",
        gap_end=b"\r\n",
        quiet=lambda noise: SMART_WORDS.search(noise) is None,
    ),
    Case("promethean", PrometheanCodec, st.builds(promethean_frame, BYTE, BYTE, BYTE), b"\xf6"),
    Case(
        "lfd",
        LfdCodec,
        st.sampled_from([b"401+\r", b"401-\r", b"801rl001\r", b"801rl000\r", b"801rl007\r"]),
        b"\r",
    ),
    Case(
        "samsung",
        SamsungCodec,
        st.builds(
            lambda ack, cmd, value: mdc_frame(0xFF, 1, bytes([ack, cmd, value])),
            st.sampled_from([0x41, 0x4E]),
            st.integers(0x11, 0x14),
            BYTE,
        ),
        b"\xaa",
    ),
    Case(
        "lg",
        LgCodec,
        st.builds(lg_reply, st.sampled_from("abfe"), st.just(1), st.booleans(), BYTE),
        b"x",
    ),
]
IDS = [case.name for case in CASES]


def decode(codec: PanelCodec, chunks: list[bytes]) -> list[Reply]:
    return [reply for chunk in chunks for reply in codec.feed(chunk)]


def alone(case: Case, answer: bytes) -> list[Reply]:
    return case.make().feed(answer)


def damaged(answers: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    def flip(answer: bytes, at: int, mask: int) -> bytes:
        at %= len(answer)
        return answer[:at] + bytes([answer[at] ^ mask]) + answer[at + 1 :]

    return st.builds(flip, answers, st.integers(0, 100), st.integers(1, 255))


def clean(noise: bytes, case: Case) -> bytes:
    return bytes(byte for byte in noise if byte not in case.framing)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@FUZZ
@given(data=st.data(), cuts=CUTS)
def test_how_bytes_arrive_never_changes_what_is_decoded(
    case: Case, data: st.DataObject, cuts: list[int]
) -> None:
    atoms = st.one_of(NOISE, case.answers, damaged(case.answers))
    stream = b"".join(data.draw(st.lists(atoms, max_size=12)))
    assert decode(case.make(), split_at(stream, cuts)) == case.make().feed(stream)


@pytest.mark.parametrize("case", CASES, ids=IDS)
@FUZZ
@given(data=st.data(), gaps=st.lists(NOISE, min_size=7, max_size=7), cuts=CUTS)
def test_garbage_between_answers_neither_hides_nor_fakes_one(
    case: Case, data: st.DataObject, gaps: list[bytes], cuts: list[int]
) -> None:
    answers = data.draw(st.lists(case.answers, max_size=6))
    assume(all(case.quiet(clean(gap, case)) for gap in gaps))
    stream = clean(gaps[0], case) + case.gap_end
    for answer, gap in zip(answers, gaps[1:], strict=False):
        stream += answer + clean(gap, case) + case.gap_end
    expected = [reply for answer in answers for reply in alone(case, answer)]
    assert decode(case.make(), split_at(stream, cuts)) == expected


@pytest.mark.parametrize("case", CASES, ids=IDS)
@FUZZ
@given(noise=st.binary(max_size=600), cuts=CUTS)
def test_noise_without_framing_bytes_is_no_answer(
    case: Case, noise: bytes, cuts: list[int]
) -> None:
    codec = case.make()
    assert decode(codec, split_at(clean(noise, case), cuts)) == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
@FUZZ
@given(data=st.data())
def test_a_good_answer_split_at_every_position_decodes_once(
    case: Case, data: st.DataObject
) -> None:
    answer = data.draw(case.answers)
    expected = alone(case, answer)
    assert len(expected) <= 1
    for cut in range(len(answer) + 1):
        assert decode(case.make(), [answer[:cut], answer[cut:]]) == expected, cut
    assert decode(case.make(), [bytes([byte]) for byte in answer]) == expected


EXAMPLES = {
    "smart": (b"powerstate=on\r\n>", Reply("power", power="on")),
    "promethean": (bytes.fromhex("F6 01 02 01 FA 6F"), Reply("power", power="on")),
    "lfd": (b"801rl001\r", Reply("power", power="on")),
    "samsung": (bytes.fromhex("AA FF 01 03 41 11 01 56"), Reply("power", power="on")),
    "lg": (b"a 01 OK01x", Reply("power", power="on")),
}


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("seed", range(4))
def test_a_flood_then_one_good_answer(case: Case, seed: int) -> None:
    flood = random.Random(seed).randbytes(10_000)
    answer, reply = EXAMPLES[case.name]
    codec = case.make()
    assert codec.feed(flood) == []
    assert codec.discarded >= len(flood) - 200  # the flood is dropped, not buffered
    assert codec.feed(answer) == [reply]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_megabyte_without_framing_keeps_nothing(case: Case) -> None:
    codec = case.make()
    chunk = clean(random.Random(1).randbytes(64 * 1024), case)
    for _ in range(16):
        assert codec.feed(chunk) == []
    assert codec.discarded >= 16 * len(chunk) - 200
    codec.reset()
    assert codec.feed(EXAMPLES[case.name][0]) == [EXAMPLES[case.name][1]]
