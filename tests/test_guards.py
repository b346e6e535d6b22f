"""The autouse guards in conftest.py must fail tests that block the loop or leak threads."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")


def test_guards_fail_blocking_and_leaking_tests(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(
        """
        import asyncio, threading, time

        async def test_blocks_the_loop():
            await asyncio.sleep(0)
            time.sleep(0.7)

        async def test_waits_politely():
            await asyncio.sleep(0.7)

        def test_leaks_a_thread():
            threading.Thread(target=time.sleep, args=(5,), daemon=True, name="leaky").start()
        """
    )
    result = pytester.runpytest_subprocess(
        "-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function"
    )
    # the two offenders pass their body and then error in the guard at teardown
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(["*blocked the loop for 0.7*", "*test leaked threads:*leaky*"])
