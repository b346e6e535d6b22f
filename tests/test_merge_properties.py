"""The merge rule (docs/sync-protocol.md §5–6) on its own, then the whole protocol (§7–8) as a
property: the hub and two boxes, messages delayed, duplicated, reordered and lost, clocks skewed
by up to ±24 h, must converge, keep every change exactly once and log every lost intention."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from hypothesis import example, given, note, settings
from hypothesis import strategies as st

from sync import Conflict, Timestamp, Write, apply_change, concurrent, merge, saw, stamp
from sync._merge import Key
from tests._sync_model import Edit
from tests._sync_school import CODES, DELETE, HOUR_MS, Net, Pull, Push, School, Step, decode_step


def _write(value: str, hlc: str, node: str = "boxa", seq: int = 1, cursor: int = 0) -> Write:
    return Write("marks", "r1", "value", value, hlc, node, seq, cursor)


def test_a_node_sees_its_own_earlier_changes_whatever_their_cursor() -> None:
    first, second = _write("a", "1", seq=1), _write("b", "2", seq=2)
    assert saw(second, first)
    assert not saw(first, second)


def test_a_write_sees_what_the_feed_held_up_to_its_cursor() -> None:
    accepted = replace(_write("a", "1"), feed_seq=5)
    assert saw(_write("b", "2", node="hub", cursor=5), accepted)
    assert not saw(_write("b", "2", node="hub", cursor=4), accepted)
    assert not saw(_write("b", "2", node="hub", cursor=99), _write("a", "1"))  # not accepted yet
    assert concurrent(_write("b", "2", node="hub", cursor=4), accepted)


def test_merge_keeps_the_higher_timestamp_and_replays_change_nothing() -> None:
    old, new = _write("a", "1"), _write("b", "2", node="boxb")
    assert merge(None, old).keep == old
    assert merge(old, new).keep == merge(new, old).keep == new
    assert merge(new, replace(new, feed_seq=3)).keep == new
    assert merge(new, new).conflict is None


def test_merge_logs_the_value_lost_to_a_concurrent_write() -> None:
    mine, theirs = _write("a", "1"), _write("b", "2", node="boxb")
    assert merge(mine, theirs).conflict == Conflict(mine, theirs)
    assert merge(theirs, mine).conflict == Conflict(mine, theirs)


def test_merge_does_not_log_equal_values_or_overwrites_by_whoever_saw_the_value() -> None:
    mine = replace(_write("a", "1"), feed_seq=7)
    assert merge(mine, _write("a", "2", node="boxb")).conflict is None
    assert merge(mine, _write("b", "2", seq=2)).conflict is None
    assert merge(mine, _write("b", "2", node="hub", cursor=7)).conflict is None
    assert merge(mine, _write("b", "2", node="hub", cursor=6)).conflict is not None


def test_a_local_write_is_stamped_above_what_it_replaces_even_when_its_clock_lags() -> None:
    from_the_future = _write("a", Timestamp(5_000, 3, "boxa").encode())
    assert stamp(Timestamp(9_000, 0, "hub"), [from_the_future, None]) == Timestamp(9_000, 0, "hub")
    assert stamp(Timestamp(4_000, 0, "hub"), [from_the_future]) == Timestamp(5_000, 4, "hub")
    assert stamp(Timestamp(4_000, 0, "hub"), [None]) == Timestamp(4_000, 0, "hub")


def test_json_true_and_1_are_different_values() -> None:
    state: dict[Key, Write] = {}
    first, second = _write("x", "1"), replace(_write("x", "2", node="boxb"), value=True)
    assert apply_change(state, [replace(first, value=1), second]) != []
    assert state[first.key] == second


# The property ---------------------------------------------------------------------------------

steps = st.integers(0, CODES - 1).map(decode_step)
skews = st.tuples(*[st.integers(-24 * HOUR_MS, 24 * HOUR_MS)] * 3)

NO_SKEW = (0, 0, 0)
FAST_BOX = (0, HOUR_MS, -24 * HOUR_MS)  # box a an hour ahead of the hub, box b a day behind


def _edit(replica: int, *pairs: tuple[str, str | int]) -> Edit:
    return Edit(replica, "marks", "r1", tuple(pairs))


# The same field edited on both boxes while offline: one value wins everywhere, one is logged.
BOTH_BOXES_OFFLINE: list[Step] = [
    _edit(1, ("status", "a")),
    _edit(2, ("status", "b")),
    Push(0, 1),
    Push(1, 1),
    Pull(0, 3),
    Pull(1, 3),
]
# A central edit racing a box's edit of the same field, and the push answer duplicated.
CENTRAL_RACES_BOX: list[Step] = [
    _edit(1, ("status", "a")),
    Push(0, 1),
    _edit(0, ("status", "b")),
    Net("deliver", 0),
    Net("duplicate", 0),
    Pull(0, 1),
]
# A central edit of a value pushed by a box whose clock is an hour ahead: the hub clamps the
# box's timestamp, yet its edit, which saw the box's value, must win (§6 stamping).
CENTRAL_EDIT_OVER_A_FAST_BOX: list[Step] = [
    _edit(1, ("status", "a")),
    Push(0, 1),
    Net("deliver", 0),
    _edit(0, ("status", "b")),
]
# Box a gets, before the answer to its push, a page with the hub's edit over its value: it must
# know that edit saw its own (§5 positions from pages), or it logs a conflict that was none.
PAGE_BEFORE_PUSH_ANSWER: list[Step] = [
    _edit(1, ("status", "a")),
    Push(0, 1),
    Net("deliver", 0),
    _edit(0, ("status", "b")),
    Pull(0, 3),
    Net("deliver", 1),
    Net("deliver", 1),
]
# The same, without any reordering: box b's answer is lost, its retry covers only its first
# change, and the answer to that says applied_through 2: b learns where its second change went
# from the next page only, which holds the hub's edit over it.
LOST_ANSWER_THEN_CENTRAL_EDIT: list[Step] = [
    _edit(2, ("status", "b")),
    _edit(2, ("status", "c")),
    Push(1, 3),
    Net("deliver", 0),
    Net("drop", 0),
    _edit(0, ("status", "a")),
    Push(1, 1),
]
# A delete on box b racing an edit on the hub, which also deletes, and box a's earlier edit.
DELETE_RACES_EDIT: list[Step] = [
    _edit(1, ("status", "a")),
    Push(0, 1),
    Net("deliver", 0),
    Pull(1, 3),
    Net("deliver", 1),
    _edit(2, DELETE),
    _edit(0, ("status", "c"), DELETE),
    Push(1, 1),
]


@settings(max_examples=2000, deadline=None)
@given(skews, st.lists(steps, min_size=20, max_size=80))
@example(NO_SKEW, BOTH_BOXES_OFFLINE)
@example(FAST_BOX, BOTH_BOXES_OFFLINE)
@example(FAST_BOX, CENTRAL_RACES_BOX)
@example(FAST_BOX, CENTRAL_EDIT_OVER_A_FAST_BOX)
@example(NO_SKEW, PAGE_BEFORE_PUSH_ANSWER)
@example(NO_SKEW, LOST_ANSWER_THEN_CENTRAL_EDIT)
@example(FAST_BOX, DELETE_RACES_EDIT)
def test_replicas_converge_keep_every_change_once_and_log_every_lost_intention(
    skews_ms: tuple[int, int, int], script: list[Step]
) -> None:
    note(f"skews {skews_ms}, script {script}")
    school = School(skews_ms)
    for step in script:
        school.run(step)
    school.settle()
    _check_converged(school)
    _check_every_change_once(school)
    _check_conflict_log(school)


def _check_converged(school: School) -> None:
    held = [{k: (w.value, w.hlc) for k, w in r.state.items()} for r in school.replicas]
    assert held[0] == held[1] == held[2]


def _check_every_change_once(school: School) -> None:
    """The feed holds every change of every node once, as written; the boxes know it."""
    in_feed = Counter((change[0].node, change[0].node_seq) for change in school.hub.feed)
    written = {(c[0].node, c[0].node_seq): c for r in school.replicas for c in r.written}
    assert in_feed == Counter(written.keys())
    for change in school.hub.feed:
        as_written = written[(change[0].node, change[0].node_seq)]
        assert [replace(w, feed_seq=None) for w in change] == [
            replace(w, feed_seq=None) for w in as_written
        ]
    assert [box.acked for box in school.boxes] == [len(box.written) for box in school.boxes]


def _check_conflict_log(school: School) -> None:
    """Every intention that nothing later overwrote knowingly and that did not win is logged;
    every logged loser really was concurrent with its winner (final feed positions)."""
    history: dict[Key, list[Write]] = defaultdict(list)
    for change in school.hub.feed:
        for write in change:
            history[write.key].append(write)
    final = {(w.node, w.node_seq, w.key): w for writes in history.values() for w in writes}
    logged = [c for replica in school.replicas for c in replica.conflicts]
    losers = {(c.loser.node, c.loser.node_seq, c.loser.key) for c in logged}
    for key, writes in history.items():
        winner = school.hub.state[key]
        frontier = [w for w in writes if not any(saw(other, w) for other in writes)]
        for write in frontier:
            if write.hlc != winner.hlc and write.value != winner.value:
                assert (write.node, write.node_seq, key) in losers, (write, winner, frontier)
    for conflict in logged:
        loser, winner = (
            final[(w.node, w.node_seq, w.key)] for w in (conflict.loser, conflict.winner)
        )
        assert concurrent(loser, winner), conflict
        assert loser.value != winner.value and loser.hlc < winner.hlc
