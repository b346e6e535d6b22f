"""For the tests over `../shared/tools/shaped-link` (short versions of the shaped benches):
root only, and they skip, saying why, where the tool or the kernel's NFQUEUE is missing."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench._shaped import SHAPED_LINK, link_up

SHAPED_TESTS = [
    pytest.mark.skipif(os.geteuid() != 0, reason="shaped-link makes network namespaces: root only"),
    pytest.mark.skipif(
        not Path(SHAPED_LINK).is_file(), reason=f"{SHAPED_LINK} is absent (../shared/tools)"
    ),
]


@contextlib.contextmanager
def made_link(prefix: str, rate: str, delay: str, loss: str) -> Iterator[tuple[str, str]]:
    """A link of this test process's own (its name, the address of namespace b), taken down
    with whatever still runs in it afterwards."""
    name = f"{prefix}{os.getpid()}"
    with contextlib.ExitStack() as stack:
        try:
            ip_b = stack.enter_context(link_up(name, rate, delay, loss))
        except subprocess.CalledProcessError as err:
            if "nfnetlink_queue" in err.stderr or "NFQUEUE" in err.stderr:
                pytest.skip(f"the kernel cannot shape a link: {err.stderr.strip()}")
            raise
        yield name, ip_b
