"""The README's walk-through runs, as written, against a real demo box."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from pathlib import Path

from tests._demo_box import demo_box

README = Path(__file__).resolve().parents[1] / "README.md"


def walkthrough() -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- walkthrough:.*?-->\n```sh\n(.*?)```", text, re.DOTALL)
    assert found is not None, "the README lost its walk-through block"
    return found.group(1)


def test_readme_walkthrough_works(tmp_path: Path, unused_tcp_port: int) -> None:
    data = tmp_path / "box"
    with demo_box(data, unused_tcp_port) as base:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", walkthrough()],
            cwd=tmp_path,
            env={**os.environ, "BOX": base},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    with sqlite3.connect(data / "edge.db") as conn:
        assert conn.execute("SELECT status, note FROM attendance").fetchall() == [
            ("late", "bus was late")
        ]
        assert conn.execute("SELECT value, comment FROM marks").fetchall() == [
            (5, "clear explanation")
        ]
        assert conn.execute("SELECT due_date FROM homework").fetchall() == [("2026-11-25",)]
