from __future__ import annotations

import logging
import time
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import ClockError, HybridClock, Timestamp, uuid7
from sync._clock import MAX_FUTURE_DRIFT_MS


class FakeWall:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self) -> float:
        return self.seconds


def test_timestamps_encode_sortably_and_round_trip() -> None:
    early, late = Timestamp(999, 5, "b"), Timestamp(1000, 0, "a")
    assert early.encode() < late.encode()
    assert Timestamp.decode(late.encode()) == late
    with pytest.raises(ClockError):
        Timestamp.decode("not-a-stamp")


def test_clock_counts_when_the_wall_clock_stalls_or_steps_back() -> None:
    wall = FakeWall(100.0)
    clock = HybridClock("box1", wall=wall)
    first = clock.now()
    second = clock.now()
    wall.seconds = 50.0  # NTP stepped the clock back
    third = clock.now()
    assert first < second < third
    assert (third.wall_ms, third.counter) == (100_000, 2)


def test_remote_far_in_the_future_is_clamped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    clock = HybridClock("box1", wall=FakeWall(100.0))
    with caplog.at_level(logging.WARNING):
        merged = clock.observe(Timestamp(100_000 + 3 * 86_400_000, 0, "hub"))
    assert merged.wall_ms == 100_000 + MAX_FUTURE_DRIFT_MS
    assert "clamped a remote clock" in caplog.text


def test_offset_corrects_a_wrong_wall_clock() -> None:
    clock = HybridClock("box1", wall=FakeWall(100.0))
    clock.offset_ms = 60_000
    assert clock.now().wall_ms == 160_000


def test_node_id_must_not_contain_the_separator() -> None:
    with pytest.raises(ClockError):
        HybridClock("box-1")


Step = tuple[str, int, int]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["now", "observe", "wall"]),
            st.integers(0, 10**7),
            st.integers(0, 1000),
        ),
        max_size=60,
    )
)
def test_clock_never_goes_backwards(steps: list[Step]) -> None:
    wall = FakeWall(1000.0)
    clock = HybridClock("me", wall=wall)
    last = clock.now()
    for kind, ms, counter in steps:
        if kind == "wall":
            wall.seconds = ms / 1000
            continue
        stamp = clock.now() if kind == "now" else clock.observe(Timestamp(ms, counter, "them"))
        assert stamp > last
        last = stamp


def test_uuid7_is_a_version_7_uuid_in_creation_order() -> None:
    ids = [uuid7() for _ in range(2000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert abs(int(parsed.hex[:12], 16) - time.time() * 1000) < 60_000, "48-bit Unix ms prefix"
