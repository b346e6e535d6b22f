"""Tell a keyboard-wedge card read from a person typing: a fast burst of digits ending in Enter.

Pure: the caller normalises each key-down to a name ("0".."9" for top-row and keypad digits,
"enter", "kp_enter", anything else for other keys) and says when it happened. Each `feed` says
which keys are decided: `passed` (a person's typing: let it through) or `swallowed` (a card
burst). Digits are held back while a burst is undecided; a caller that can delay keys releases
held ones with `expire` once `max_gap` has passed without a key (DEVICES.md, "USB keyboard-wedge
readers"). Every key fed ends up exactly once in `passed` or `swallowed`, in the order fed.
Also here, as pure data: the names of evdev key codes and of pynput keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

#: Settings (constructor arguments). A card number is "usually ten decimal digits"; 8..12 also
#: accepts readers configured for 8-digit (Wiegand-26) or longer output.
WEDGE_MIN_LENGTH = 8
WEDGE_MAX_LENGTH = 12
#: Longest pause (seconds) between two keys of one burst, Enter included. 30 ms is UNVERIFIED
#: (DEVICES.md): measure real readers; raise it if cards are missed, lower it if a fast typist's
#: digits (usually 80+ ms apart) are taken for a card.
WEDGE_MAX_GAP = 0.03
WEDGE_SUBMIT_KEYS = ("enter", "kp_enter")

_DIGITS = tuple("0123456789")


@dataclass(frozen=True)
class BurstResult:
    uid: str | None = None  # the card number, as typed (leading zeros kept), when one completed
    passed: tuple[str, ...] = ()  # keys to let through to the user now, in order
    swallowed: tuple[str, ...] = ()  # keys that were a card burst: never deliver them


class KeyBurstDecoder:
    def __init__(
        self,
        min_length: int = WEDGE_MIN_LENGTH,
        max_length: int = WEDGE_MAX_LENGTH,
        max_gap: float = WEDGE_MAX_GAP,
        submit_keys: tuple[str, ...] = WEDGE_SUBMIT_KEYS,
    ) -> None:
        if not 0 < min_length <= max_length or not max_gap > 0:
            raise ValueError("need 0 < min_length <= max_length and max_gap > 0")
        self.min_length = min_length
        self.max_length = max_length
        self.max_gap = max_gap
        self.submit_keys = submit_keys
        self._held: list[str] = []  # digits of the burst being decided
        self._last: float | None = None  # when the last key of the current run arrived
        self._too_long = False  # the current fast run of digits passed max_length

    @property
    def holding(self) -> bool:
        """True while keys are held back undecided (a caller may schedule `expire`)."""
        return bool(self._held)

    def feed(self, key: str, now: float) -> BurstResult:
        """One key-down at `now` (seconds, any monotonic origin). Never raises."""
        released = self._break_if_slow(now)
        self._last = now
        if key in _DIGITS:
            return self._digit(key, released)
        held, self._held, self._too_long = self._held, [], False
        if key in self.submit_keys and self.min_length <= len(held) <= self.max_length:
            return BurstResult(uid="".join(held), swallowed=(*held, key))
        return BurstResult(passed=(*released, *held, key))

    def expire(self, now: float) -> BurstResult:
        """Release held keys if no key came within `max_gap` before `now`; else decide nothing."""
        return BurstResult(passed=self._break_if_slow(now))

    def flush(self) -> BurstResult:
        """Release everything held (the source is closing)."""
        held, self._held, self._too_long, self._last = self._held, [], False, None
        return BurstResult(passed=tuple(held))

    def _break_if_slow(self, now: float) -> tuple[str, ...]:
        last = self._last
        if last is None or last <= now <= last + self.max_gap:
            return ()
        held, self._held, self._too_long, self._last = self._held, [], False, None
        return tuple(held)

    def _digit(self, key: str, released: tuple[str, ...]) -> BurstResult:
        if self._too_long:  # the rest of an over-long run: not a card, let it through
            return BurstResult(passed=(*released, key))
        self._held.append(key)
        if len(self._held) <= self.max_length:
            return BurstResult(passed=released)
        held, self._held, self._too_long = self._held, [], True
        return BurstResult(passed=(*released, *held))


#: Linux key codes (linux/input-event-codes.h, a stable kernel ABI: KEY_1..KEY_9, KEY_0 are 2..11;
#: KEY_KP0..KEY_KP9 are scattered over the keypad block) -> names. Other codes are "other".
EVDEV_KEY_NAMES: dict[int, str] = {
    **dict(zip(range(2, 12), "1234567890", strict=True)),
    **dict(zip((82, 79, 80, 81, 75, 76, 77, 71, 72, 73), _DIGITS, strict=True)),
    28: "enter",
    96: "kp_enter",
}
_EV_KEY, _KEY_DOWN = 1, 1  # event type EV_KEY; value 0 is key-up, 2 auto-repeat


class InputEventLike(Protocol):
    """What is read of a python-evdev `InputEvent`."""

    type: int
    code: int
    value: int

    def timestamp(self) -> float: ...


def evdev_key_name(event: InputEventLike) -> str | None:
    """A key-down's decoder name; None for key-up, auto-repeat and non-key events."""
    if event.type != _EV_KEY or event.value != _KEY_DOWN:
        return None
    return EVDEV_KEY_NAMES.get(event.code, "other")


def pynput_key_name(key: object) -> str:
    """A pynput `Key`/`KeyCode` as a decoder name. Digits are recognised by their `char` (pynput's
    X11 backend reports keypad digits that way and KP_Enter as `Key.enter`); `vk` is not used,
    as its meaning differs per backend (X keysym, Linux key code, Windows virtual key)."""
    char = getattr(key, "char", None)
    if isinstance(char, str) and char in _DIGITS:
        return char
    return "enter" if getattr(key, "name", None) == "enter" else "other"
