"""Kill -9 loop of diary sync (issue: diary sync): the box's `edge sync now` or the hub's
process killed at a random moment of each round, for many rounds, then the proof that nothing
was lost or duplicated (see `bench/_kill_loop.py`).

Run: `.venv/bin/python bench/sync_faults.py [--iterations 200] [--seed 1]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._kill_loop import kill_loop


def main() -> None:
    parser = argparse.ArgumentParser(description="kill -9 loop of diary sync")
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as work:
        result = kill_loop(Path(work), args.iterations, args.seed)
    report = {**dataclasses.asdict(result), "seconds": round(time.monotonic() - started, 1)}
    print(json.dumps(report, indent=1))
    sys.exit(1 if result.problems else 0)


if __name__ == "__main__":
    main()
