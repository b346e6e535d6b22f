"""Keyboard-wedge readers: the burst decoder, the key-down line codec, key names, device list.

The transports (evdev, pynput) and the whole path through the runner: test_wedge_transports.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.readers import WedgeCodec, make_codec, wedge_line
from devices.readers._wedge_burst import (
    EVDEV_KEY_NAMES,
    BurstResult,
    KeyBurstDecoder,
    evdev_key_name,
    pynput_key_name,
)
from devices.readers.wedge import WedgeDevice, list_wedge_devices
from tests._device_records import split_at
from tests._wedge_fakes import CARD, FakeEvent, FakeKey

OTHER_CARD = "0005898564"


def feed_all(
    decoder: KeyBurstDecoder, keys: Iterable[str], gap: float, start: float = 0.0
) -> list[BurstResult]:
    return [decoder.feed(key, start + i * gap) for i, key in enumerate(keys)]


def passed(results: Iterable[BurstResult]) -> list[str]:
    return [key for result in results for key in result.passed]


def test_a_card_burst_is_a_uid_and_is_swallowed() -> None:
    results = feed_all(KeyBurstDecoder(), [*CARD, "enter"], gap=0.004)
    assert [r.uid for r in results if r.uid] == [CARD]
    assert results[-1].swallowed == (*CARD, "enter")
    assert passed(results) == []


def test_a_person_typing_digits_slowly_passes_through() -> None:
    decoder = KeyBurstDecoder()
    results = feed_all(decoder, [*"12345678", "enter"], gap=0.15)
    assert all(r.uid is None and not r.swallowed for r in results)
    assert passed(results) == [*"12345678", "enter"]


def test_a_burst_broken_by_a_slow_key_is_released_in_order() -> None:
    decoder = KeyBurstDecoder()
    results = feed_all(decoder, "1234", gap=0.005)
    assert passed(results) == [] and decoder.holding
    results += [decoder.feed("5", 0.5), decoder.feed("a", 0.501)]
    assert passed(results) == [*"12345", "a"]
    assert not decoder.holding


def test_expire_releases_held_keys_only_after_the_gap() -> None:
    decoder = KeyBurstDecoder(max_gap=0.03)
    feed_all(decoder, "12", gap=0.01)
    assert decoder.expire(0.03).passed == ()
    assert decoder.expire(0.05).passed == ("1", "2")
    assert decoder.flush() == BurstResult()


@pytest.mark.parametrize(
    ("digits", "is_card"),
    [("1234567", False), ("12345678", True), ("123456789012", True), ("1234567890123", False)],
)
def test_burst_length_limits(digits: str, is_card: bool) -> None:
    results = feed_all(KeyBurstDecoder(), [*digits, "enter"], gap=0.004)
    assert (results[-1].uid == digits) is is_card
    assert passed(results) == ([] if is_card else [*digits, "enter"])


def test_a_long_fast_run_never_yields_its_tail_as_a_card() -> None:
    results = feed_all(KeyBurstDecoder(), [*("1234567890" * 3), "enter"], gap=0.004)
    assert all(r.uid is None for r in results)
    assert len(passed(results)) == 31


def test_enter_without_digits_and_a_late_enter_pass_through() -> None:
    decoder = KeyBurstDecoder()
    assert decoder.feed("enter", 0.0) == BurstResult(passed=("enter",))
    results = [*feed_all(decoder, CARD, gap=0.004, start=1.0), decoder.feed("enter", 1.2)]
    assert passed(results) == [*CARD, "enter"]


def test_keypad_enter_submits() -> None:
    results = feed_all(KeyBurstDecoder(), [*CARD, "kp_enter"], gap=0.004)
    assert results[-1].uid == CARD


def test_impossible_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="min_length"):
        KeyBurstDecoder(min_length=9, max_length=8)


KEYS = st.one_of(
    st.sampled_from([*"0123456789", "enter", "kp_enter", "a", "shift"]), st.text(max_size=3)
)
GAPS = st.one_of(st.floats(0, 0.05), st.floats(-1, 2), st.just(float("nan")))
PRESS = st.tuples(KEYS, GAPS).map(lambda press: [press])
BURST = st.text("0123456789", min_size=1, max_size=14).map(
    lambda digits: [(d, 0.002) for d in digits] + [("enter", 0.002)]
)
PRESSES = st.lists(st.one_of(PRESS, BURST), max_size=20).map(lambda runs: [*chain(*runs)])


@given(PRESSES, st.integers(1, 12), st.integers(0, 8))
def test_any_key_sequence_is_decided_once_in_order(
    presses: list[tuple[str, float]], min_length: int, extra: int
) -> None:
    decoder = KeyBurstDecoder(min_length, min_length + extra)
    decided: list[str] = []
    now = 0.0
    for key, gap in presses:
        now += gap
        result = decoder.feed(key, now)
        decided += [*result.passed, *result.swallowed]
        if result.uid is not None:
            assert result.uid.isdigit() and min_length <= len(result.uid) <= min_length + extra
            assert result.swallowed[:-1] == tuple(result.uid)
    decided += decoder.flush().passed
    assert decided == [key for key, _ in presses]


def test_pynput_key_names() -> None:
    assert pynput_key_name(FakeKey(char="7")) == "7"
    assert pynput_key_name(FakeKey(name="enter")) == "enter"
    assert pynput_key_name(FakeKey(char="a")) == "other"
    assert pynput_key_name(object()) == "other"


def test_evdev_key_mapping_takes_key_downs_only() -> None:
    assert evdev_key_name(FakeEvent(1, 11, 1)) == "0"
    assert evdev_key_name(FakeEvent(1, 82, 1)) == "0"  # KEY_KP0
    assert evdev_key_name(FakeEvent(1, 96, 1)) == "kp_enter"
    assert evdev_key_name(FakeEvent(1, 30, 1)) == "other"  # KEY_A
    assert evdev_key_name(FakeEvent(1, 11, 0)) is None  # key-up
    assert evdev_key_name(FakeEvent(1, 11, 2)) is None  # auto-repeat
    assert evdev_key_name(FakeEvent(0, 0, 0)) is None  # SYN_REPORT


def test_evdev_key_codes_match_python_evdev() -> None:
    evdev = pytest.importorskip("evdev")
    for code, name in EVDEV_KEY_NAMES.items():
        expected = {"enter": "KEY_ENTER", "kp_enter": "KEY_KPENTER"}.get(name)
        assert evdev.ecodes.KEY[code] in (expected, f"KEY_{name}", f"KEY_KP{name}")
    event = evdev.InputEvent(1, 0, evdev.ecodes.EV_KEY, evdev.ecodes.KEY_KP5, 1)
    assert evdev_key_name(event) == "5"


# --- WedgeCodec: key-down lines in, cards out ---------------------------------------------------


def typed(keys: Iterable[str], gap: float = 0.004, start: float = 100.0) -> bytes:
    return b"".join(wedge_line(start + i * gap, key) for i, key in enumerate(keys))


def decode(codec: WedgeCodec, chunks: Iterable[bytes]) -> list[str]:
    codec.start(0.0)
    return [uid for chunk in chunks for uid in codec.feed(chunk, 0.0).uids]


def test_wedge_codec_reads_a_card_and_sends_nothing() -> None:
    codec = WedgeCodec()
    assert codec.start(0.0) == b"" and codec.tick(0.0) == b""
    assert codec.feed(typed([*CARD, "enter"]), 0.0).uids == [CARD]
    assert wedge_line(100.5, "kp_enter") == b"100.500000 kp_enter\n"


@given(st.lists(st.integers(0, 600), max_size=12))
def test_wedge_codec_lines_split_anywhere(cuts: list[int]) -> None:
    stream = typed([*CARD, "enter"]) + typed([*OTHER_CARD, "kp_enter"], start=200.0)
    assert decode(WedgeCodec(), split_at(stream, cuts)) == [CARD, OTHER_CARD]


def test_wedge_codec_keypad_enter_submits_and_slow_typing_is_no_card() -> None:
    assert decode(WedgeCodec(), [typed([*CARD, "kp_enter"])]) == [CARD]
    assert decode(WedgeCodec(), [typed([*CARD, "enter"], gap=0.15)]) == []
    assert decode(WedgeCodec(max_gap=0.2), [typed([*CARD, "enter"], gap=0.15)]) == [CARD]


MALFORMED = [
    b"",
    b"garbage",
    b"100.001",
    b"100.001 5 extra",
    b"nan 5",
    b"inf 5",
    b"1e999 5",
    b"x 5",
    b"\xff\xfe 5",
    b"100.001 \xff",
    b"9" * 200,
]


def test_wedge_codec_drops_malformed_lines_even_inside_a_card() -> None:
    card_lines = typed([*CARD, "enter"]).splitlines(keepends=True)
    noise = [line + b"\n" for line in MALFORMED]
    stream = b"".join(noise) + b"".join(chain(*zip(card_lines, noise, strict=False)))
    assert decode(WedgeCodec(), [stream]) == [CARD]


KEY_NAMES = st.sampled_from([*"0123456789", "enter", "kp_enter", "other"])
KEY_LINES = st.builds(wedge_line, st.floats(allow_nan=True, allow_infinity=True), KEY_NAMES)
ATOMS = st.one_of(st.binary(max_size=40), st.sampled_from(MALFORMED), KEY_LINES)


@given(st.lists(ATOMS, max_size=30), st.lists(st.integers(0, 2000), max_size=10))
def test_wedge_codec_never_raises_and_every_card_is_digits(
    atoms: list[bytes], cuts: list[int]
) -> None:
    for uid in decode(WedgeCodec(), split_at(b"".join(atoms), cuts)):
        assert uid.isdigit() and 8 <= len(uid) <= 12


def test_make_codec_builds_the_wedge_codec_with_its_settings() -> None:
    codec = make_codec("wedge", {"min_length": 4, "max_length": 6, "max_gap": 1})
    assert isinstance(codec, WedgeCodec)
    assert codec.feed(typed([*"1234", "enter"], gap=0.5), 0.0).uids == ["1234"]
    with pytest.raises(ValueError, match="min_length <= max_length"):
        make_codec("wedge", {"min_length": 9, "max_length": 8})
    with pytest.raises(ValueError, match="no setting 'stale_after'"):
        make_codec("wedge", {"stale_after": 1.0})


def test_list_wedge_devices(tmp_path: Path) -> None:
    reader = "usb-Sycreader_RFID_Technology_Co.__Ltd_SYC_ID_IC_USB_Reader_08FF20140315-event-kbd"
    for entry in (reader, "usb-Logitech_USB_Receiver-if02-event-mouse", "usb-Dell_KB216-event-kbd"):
        (tmp_path / entry).touch()
    assert list_wedge_devices(tmp_path) == [
        WedgeDevice(str(tmp_path / "usb-Dell_KB216-event-kbd"), "Dell KB216"),
        WedgeDevice(
            str(tmp_path / reader),
            "Sycreader RFID Technology Co. Ltd SYC ID IC USB Reader 08FF20140315",
        ),
    ]
    assert list_wedge_devices(tmp_path / "absent") == []
