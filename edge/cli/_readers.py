"""`edge readers add|list|remove`, `edge cards assign|unknown`, `edge devices scan`."""

from __future__ import annotations

import argparse
import json
from typing import Any, TypeAlias

from devices.readers import PROTOCOLS
from edge.cli._common import CliError, database_job
from edge.db import Row
from edge.taps import (
    ReaderError,
    add_reader,
    assign_card,
    list_readers,
    remove_reader,
    unknown_cards,
)

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(commands: Commands) -> None:
    _register_readers(commands)
    _register_cards(commands)
    scan = commands.add_parser("devices", help="look for devices").add_subparsers(
        dest="devices_command", required=True, metavar="COMMAND"
    )
    found = scan.add_parser("scan", help="serial ports, keyboard-wedge readers and mDNS peers")
    found.add_argument("--seconds", type=float, default=3.0, help="how long to listen for mDNS")
    found.set_defaults(handler=_scan)


def _register_readers(commands: Commands) -> None:
    readers = commands.add_parser("readers", help="card readers at doors and the entrance")
    sub = readers.add_subparsers(dest="readers_command", required=True, metavar="COMMAND")
    add = sub.add_parser("add", help="register a reader")
    add.add_argument("name")
    add.add_argument("--protocol", required=True, choices=sorted(PROTOCOLS))
    where = add.add_mutually_exclusive_group(required=True)
    where.add_argument("--serial", metavar="PATH", help="e.g. /dev/serial/by-id/usb-…-if00-port0")
    where.add_argument("--tcp", metavar="HOST:PORT", help="a reader on the LAN")
    where.add_argument(
        "--input",
        metavar="PATH",
        help="a keyboard-wedge reader (--protocol wedge): /dev/input/by-id/usb-…-event-kbd,"
        " or keyboard: for the fallback that hears every keyboard",
    )
    add.add_argument("--baud", type=int, help="serial speed (default: the protocol's)")
    place = add.add_mutually_exclusive_group(required=True)
    place.add_argument("--room", help="the classroom whose door it is at (marks attendance)")
    place.add_argument(
        "--entrance",
        choices=["in", "out", "toggle"],
        help="at the school entrance: check-in, check-out, or each tap toggles",
    )
    add.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="protocol setting, e.g. max_length=16 (JSON values allowed)",
    )
    add.set_defaults(handler=_add)
    sub.add_parser("list", help="list the readers").set_defaults(handler=_list)
    remove = sub.add_parser("remove", help="remove a reader")
    remove.add_argument("name")
    remove.set_defaults(handler=_remove)


def _register_cards(commands: Commands) -> None:
    cards = commands.add_parser("cards", help="cards and who they belong to")
    sub = cards.add_subparsers(dest="cards_command", required=True, metavar="COMMAND")
    assign = sub.add_parser("assign", help="give a card to a person")
    assign.add_argument("uid", help="as `edge cards unknown` shows it")
    assign.add_argument("person", help="sourcedId, username or e-mail")
    assign.set_defaults(handler=_assign)
    sub.add_parser("unknown", help="cards tapped that belong to nobody").set_defaults(
        handler=_unknown
    )


def _run(args: argparse.Namespace, fn: Any, write: bool = True) -> Any:
    return database_job(args, fn, write=write, errors=(ReaderError,))


def _add(args: argparse.Namespace) -> int:
    address = args.serial or args.input or f"tcp://{args.tcp}"
    options = dict(_option(text) for text in args.option)
    row = _run(
        args,
        lambda tx: add_reader(
            tx,
            name=args.name,
            protocol=args.protocol,
            address=address,
            room=args.room,
            direction=args.entrance,
            baudrate=args.baud,
            options=options,
        ),
    )
    place = f"room {args.room}" if args.room else f"the entrance ({args.entrance})"
    print(f"added reader {row['name']} ({row['protocol']}, {address}) at {place}")
    print("a running box starts it within a few seconds")
    return 0


def _option(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise CliError(f"--option {text!r}: expected KEY=VALUE")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def _list(args: argparse.Namespace) -> int:
    rows: list[Row] = _run(args, list_readers, write=False)
    print(f"{'NAME':20} {'PROTOCOL':16} {'WHERE':22} ADDRESS")
    for row in rows:
        where = row["room_name"] if row["location"] == "room" else f"entrance ({row['direction']})"
        print(f"{row['name']:20} {row['protocol']:16} {where:22} {row['address']}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    _run(args, lambda tx: remove_reader(tx, args.name))
    print(f"removed reader {args.name}")
    return 0


def _assign(args: argparse.Namespace) -> int:
    stored, _ = _run(args, lambda tx: assign_card(tx, args.uid, args.person))
    print(f"card {stored} now belongs to {args.person}")
    return 0


def _unknown(args: argparse.Namespace) -> int:
    rows: list[Row] = _run(args, unknown_cards, write=False)
    print(f"{'CARD':16} {'TAPS':>5} {'LAST SEEN':25} READER")
    for row in rows:
        print(
            f"{row['card_uid']:16} {row['taps']:>5} {row['last_at']:25} {row['last_reader'] or '-'}"
        )
    return 0


def _scan(args: argparse.Namespace) -> int:
    from edge.cli._scan import print_scan

    print_scan(args.seconds)
    return 0
