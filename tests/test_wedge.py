"""Keyboard-wedge readers: the burst decoder, the grabbed evdev source, the pynput fallback."""

from __future__ import annotations

import asyncio
import errno
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices._events import Tap
from devices.readers import _wedge_pynput
from devices.readers._wedge_burst import (
    EVDEV_KEY_NAMES,
    BurstResult,
    InputEventLike,
    KeyBurstDecoder,
    evdev_key_name,
    pynput_key_name,
)
from devices.readers._wedge_pynput import OnPress, PynputWedge
from devices.readers.wedge import (
    EvdevWedge,
    WedgeDevice,
    WedgeUnavailable,
    WedgeUnplugged,
    list_wedge_devices,
)

CARD = "0002759484"  # the uid an RDM6300 gives for the same EM4100 card
AT = datetime(2025, 3, 4, 8, 15, tzinfo=UTC)
KEY_CODES = {**{d: 2 + "1234567890".index(d) for d in "1234567890"}, "enter": 28}
KEYPAD_CODES = {
    **dict(zip("0123456789", (82, 79, 80, 81, 75, 76, 77, 71, 72, 73), strict=True)),
    "enter": 96,
}


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


@dataclass
class FakeKey:
    char: str | None = None
    name: str | None = None


def test_pynput_key_names() -> None:
    assert pynput_key_name(FakeKey(char="7")) == "7"
    assert pynput_key_name(FakeKey(name="enter")) == "enter"
    assert pynput_key_name(FakeKey(char="a")) == "other"
    assert pynput_key_name(object()) == "other"


@dataclass
class FakeEvent:
    type: int
    code: int
    value: int
    at: float = 0.0

    def timestamp(self) -> float:
        return self.at


def keystrokes(keys: Iterable[str], codes: dict[str, int], gap: float = 0.004) -> list[FakeEvent]:
    """What a reader's node delivers: MSC_SCAN, key down, SYN, key up, SYN, per key."""
    events = []
    for i, key in enumerate(keys):
        t = 100.0 + i * gap
        code = codes[key]
        events += [
            FakeEvent(4, 4, 458000 + code, t),
            FakeEvent(1, code, 1, t),
            FakeEvent(0, 0, 0, t),
        ]
        events += [FakeEvent(1, code, 0, t + 0.001), FakeEvent(0, 0, 0, t + 0.001)]
    return events


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


class FakeDevice:
    def __init__(self, events: list[FakeEvent], error: OSError | None = None) -> None:
        self.events, self.error = events, error
        self.grab_error: OSError | None = None
        self.grabbed = self.closed = False

    def grab(self) -> None:
        if self.grab_error:
            raise self.grab_error
        self.grabbed = True

    def ungrab(self) -> None:
        if self.error:  # an unplugged node refuses the ioctl
            raise OSError(errno.ENODEV, "No such device")
        self.grabbed = False

    def close(self) -> None:
        self.closed = True

    def async_read_loop(self) -> AsyncIterator[InputEventLike]:
        return self._read()

    async def _read(self) -> AsyncIterator[InputEventLike]:
        for event in self.events:
            yield event
        if self.error:
            raise self.error
        await asyncio.Event().wait()  # a quiet reader


def evdev_wedge(device: FakeDevice, taps: list[Tap]) -> EvdevWedge:
    return EvdevWedge(
        "door-1",
        "/dev/input/by-id/usb-Reader-event-kbd",
        taps.append,
        clock=lambda: AT,
        open_device=lambda _path: device,
    )


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(600):  # up to 3 s
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("timed out")


@pytest.mark.parametrize("codes", [KEY_CODES, KEYPAD_CODES], ids=["top-row", "keypad"])
async def test_evdev_wedge_taps_a_card_and_close_ungrabs(codes: dict[str, int]) -> None:
    device, taps = FakeDevice(keystrokes([*CARD, "enter"], codes)), list[Tap]()
    wedge = evdev_wedge(device, taps)
    run = asyncio.create_task(wedge.run())
    await until(lambda: bool(taps))
    assert taps == [Tap(CARD, "door-1", AT)] and device.grabbed
    wedge.close()
    await run  # returns: close() is not a failure
    assert not device.grabbed and device.closed


async def test_evdev_wedge_unplug_ends_run_with_a_clear_error() -> None:
    unplugged = OSError(errno.ENODEV, "No such device")
    device, taps = FakeDevice(keystrokes([*CARD, "enter"], KEY_CODES), unplugged), list[Tap]()
    with pytest.raises(WedgeUnplugged, match=r"door-1.*unplugged"):
        await evdev_wedge(device, taps).run()
    assert taps == [Tap(CARD, "door-1", AT)] and device.closed


async def test_evdev_wedge_other_read_errors_are_unavailable_not_unplugged() -> None:
    device = FakeDevice([], OSError(errno.EIO, "I/O error"))
    with pytest.raises(WedgeUnavailable, match="I/O error") as raised:
        await evdev_wedge(device, []).run()
    assert not isinstance(raised.value, WedgeUnplugged)


async def test_evdev_wedge_grab_refused_closes_the_node() -> None:
    device = FakeDevice([])
    device.grab_error = OSError(errno.EBUSY, "Device or resource busy")
    with pytest.raises(WedgeUnavailable, match="cannot grab"):
        await evdev_wedge(device, []).run()
    assert device.closed


async def test_evdev_wedge_missing_node_is_unavailable() -> None:
    pytest.importorskip("evdev")
    with pytest.raises(WedgeUnavailable, match="cannot open"):
        await EvdevWedge("door-1", "/nonexistent/usb-Reader-event-kbd", print).run()


def _uinput_skip_reason() -> str | None:
    try:
        import evdev  # noqa: F401
    except ImportError:
        return "python-evdev is not installed"
    if not os.access("/dev/uinput", os.W_OK):
        return "/dev/uinput is absent or not writable here, so no virtual keyboard can be made"
    return None


async def test_evdev_wedge_reads_a_uinput_virtual_keyboard() -> None:
    reason = _uinput_skip_reason()
    if reason:
        pytest.skip(reason)
    from evdev import UInput, ecodes

    keyboard = await asyncio.to_thread(
        UInput, {ecodes.EV_KEY: list(range(1, 100))}, name="wedge-test"
    )
    taps: list[Tap] = []
    wedge = EvdevWedge("door-1", os.fsdecode(keyboard.device.path), taps.append, clock=lambda: AT)
    run = asyncio.create_task(wedge.run())
    try:
        await asyncio.sleep(0.1)
        for key in [*CARD, "enter"]:
            for value in (1, 0):
                keyboard.write(ecodes.EV_KEY, KEY_CODES[key], value)
                keyboard.syn()
        await until(lambda: bool(taps))
        assert taps == [Tap(CARD, "door-1", AT)]
    finally:
        wedge.close()
        await run
        await asyncio.to_thread(keyboard.close)


class FakeListener:
    """A stand-in for pynput's listener thread; the test presses keys through `on_press`."""

    def __init__(self, on_press: OnPress) -> None:
        self.on_press = on_press
        self.running = False
        self.failure: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-pynput-listener")

    def _run(self) -> None:
        self.running = True
        self._stop.wait()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)
        if self.failure:
            raise self.failure

    def press(self, keys: Iterable[FakeKey], gap: float, injected: bool = False) -> None:
        for key in keys:
            self.on_press(key, injected)
            time.sleep(gap)


def keys(text: str) -> list[FakeKey]:
    return [FakeKey(name="enter") if c == "\n" else FakeKey(char=c) for c in text]


async def start_pynput(
    taps: list[Tap], **settings: int
) -> tuple[PynputWedge, FakeListener, asyncio.Task[None]]:
    made: list[FakeListener] = []

    def factory(on_press: OnPress) -> FakeListener:
        made.append(FakeListener(on_press))
        return made[0]

    wedge = PynputWedge(
        "desk-2", taps.append, max_gap=0.1, clock=lambda: AT, listener_factory=factory, **settings
    )
    run = asyncio.create_task(wedge.run())
    await until(lambda: bool(made) and made[0].running)
    return wedge, made[0], run


async def test_pynput_wedge_taps_a_fast_burst_and_ignores_people() -> None:
    taps: list[Tap] = []
    wedge, listener, run = await start_pynput(taps, min_length=3)
    await asyncio.to_thread(listener.press, keys("123\n"), gap=0.15)  # a person
    await asyncio.to_thread(listener.press, keys(CARD + "\n"), gap=0, injected=True)
    await asyncio.to_thread(listener.press, keys(CARD + "\n"), gap=0)
    await until(lambda: bool(taps))
    assert taps == [Tap(CARD, "desk-2", AT)]
    wedge.close()
    await run
    assert not listener.is_alive()


async def test_pynput_wedge_reports_a_dead_listener(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_wedge_pynput, "LISTENER_CHECK_SECONDS", 0.01)
    _, listener, run = await start_pynput([])
    listener.failure = RuntimeError("X connection lost")
    listener.stop()
    with pytest.raises(WedgeUnavailable, match="X connection lost"):
        await run


async def test_pynput_wedge_is_unavailable_without_a_keyboard_backend() -> None:
    try:
        await asyncio.to_thread(__import__, "pynput.keyboard")
    except Exception:
        with pytest.raises(WedgeUnavailable, match="pynput cannot listen"):
            await PynputWedge("desk-2", print).run()
    else:
        pytest.skip("pynput can listen here (a display or uinput is available)")


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
