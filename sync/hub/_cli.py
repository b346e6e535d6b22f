"""`edge-hub`: run the reference hub, manage its schools, enrollment and parents' tokens, and
edit a school's diary centrally."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from aiohttp import web

from sync._merge import Value
from sync.hub._app import create_hub_app
from sync.hub._cli_content import add_content_commands
from sync.hub._cli_parents import add_parents_commands
from sync.hub._content_key import content_key, public_content_key
from sync.hub._errors import HubError
from sync.hub._store import HubStore


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edge-hub", description="The reference central server boxes sync their diary with."
    )
    parser.add_argument("--data-dir", type=Path, default=Path("/var/lib/classroom-edge-hub"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    schools = commands.add_parser("schools", help="the schools this hub serves")
    sub = schools.add_subparsers(dest="schools_command", required=True, metavar="COMMAND")
    add = sub.add_parser("add", help="add a school")
    add.add_argument("school_id")
    add.add_argument("name")
    add.set_defaults(handler=_add_school)
    sub.add_parser("list", help="list the schools").set_defaults(handler=_list_schools)
    tokens = commands.add_parser("tokens", help="one-time enrollment tokens for boxes")
    tsub = tokens.add_subparsers(dest="tokens_command", required=True, metavar="COMMAND")
    create = tsub.add_parser("create", help="a token a school's box enrolls with (24 h, once)")
    create.add_argument("--school", required=True)
    create.set_defaults(handler=_new_token)
    edit = commands.add_parser("edit", help="write a change centrally, as the hub's own node")
    edit.add_argument("--school", required=True)
    edit.add_argument("table")
    edit.add_argument("row")
    edit.add_argument(
        "fields",
        nargs="+",
        metavar="FIELD=VALUE",
        help="VALUE is read as JSON when it is a JSON scalar, else as text; deleted=1 deletes",
    )
    edit.set_defaults(handler=_edit)
    rows = commands.add_parser("rows", help="a table's rows as the hub holds them, JSON lines")
    rows.add_argument("--school", required=True)
    rows.add_argument("table")
    rows.set_defaults(handler=_rows)
    add_parents_commands(commands, _store)
    add_content_commands(commands, _store)
    run = commands.add_parser("run", help="serve the hub")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8443)
    run.set_defaults(handler=_run)
    return parser


def _store(args: argparse.Namespace) -> HubStore:
    return HubStore(args.data_dir / "hub.db")


def _add_school(args: argparse.Namespace) -> None:
    _store(args).add_school(args.school_id, args.name)
    print(f"added school {args.school_id}")


def _list_schools(args: argparse.Namespace) -> None:
    for school_id, name in _store(args).schools():
        print(f"{school_id}\t{name}")


def _new_token(args: argparse.Namespace) -> None:
    print(_store(args).new_token(args.school, int(time.time())))


def _edit(args: argparse.Namespace) -> None:
    fields: dict[str, Value] = {}
    for text in args.fields:
        name, equals, value = text.partition("=")
        if not equals:
            raise HubError(400, "bad_request", f"{text!r}: fields are FIELD=VALUE")
        if name in fields:
            raise HubError(400, "bad_request", f"{name!r} is written twice")
        fields[name] = _scalar(value)
    print(_store(args).edit(args.school, args.table, args.row, fields, int(time.time())))


def _scalar(text: str) -> Value:
    """`4` → 4, `true` → True, `null` → None, `"4"` → "4"; anything else is the text itself."""
    try:
        value = json.loads(text, parse_constant=_not_json)
    except ValueError:
        return text
    return value if value is None or isinstance(value, str | int | float | bool) else text


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


def _rows(args: argparse.Namespace) -> None:
    for row, fields in _store(args).rows(args.school, args.table).items():
        print(json.dumps({"row": row, "fields": fields}, ensure_ascii=False, sort_keys=True))


def _run(args: argparse.Namespace) -> None:
    store = _store(args)
    key = content_key(store)
    app = create_hub_app(store, public_content_key(key), signing_key=key, data_dir=args.data_dir)
    # a blob answer to a box whose link was cut can block for minutes: a stop does not wait it out
    web.run_app(app, host=args.host, port=args.port, access_log=None, shutdown_timeout=10.0)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except HubError as err:
        print(f"edge-hub: error: {err.detail}", file=sys.stderr)
        return 2
    return 0
