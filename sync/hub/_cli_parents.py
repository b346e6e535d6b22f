"""`edge-hub parents`: the tokens parents read their child's entries and exits with (§12)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from sync.hub._store import HubStore


def add_parents_commands(
    commands: Any, open_store: Callable[[argparse.Namespace], HubStore]
) -> None:
    """Add `parents add` and `parents revoke` to the `edge-hub` command parsers."""
    parents = commands.add_parser("parents", help="parents' tokens to their child's presence")
    sub = parents.add_subparsers(dest="parents_command", required=True, metavar="COMMAND")
    add = sub.add_parser("add", help="a token to one student's entries and exits, shown once")
    add.add_argument("--school", required=True)
    add.add_argument("--student", required=True, help="the student's row id or OneRoster id")
    add.set_defaults(handler=lambda args: _add(open_store(args), args.school, args.student))
    revoke = sub.add_parser("revoke", help="stop a parent's token from working")
    revoke.add_argument("token")
    revoke.set_defaults(handler=lambda args: _revoke(open_store(args), args.token))


def _add(store: HubStore, school: str, student: str) -> None:
    print(store.add_parent(school, student, int(time.time())))


def _revoke(store: HubStore, token: str) -> None:
    store.revoke_parent(token, int(time.time()))
    print("revoked")
