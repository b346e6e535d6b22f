"""`edge panels add|list|remove` (the registry) and `edge panels power|input|status ROOM`.

A command for a panel goes through the running box when it answers (it holds the panel's
link, and knows its power transition), as an admin session this command opens in the
database and closes again; with the box stopped, the command drives the panel itself."""

from __future__ import annotations

import argparse
from typing import Any, TypeAlias

from devices.panels import INPUT_NAMES, PANEL_PROTOCOLS
from edge.cli._common import CliError, database_job, settings_from
from edge.cli._panel_remote import send_to_panel
from edge.db import Row
from edge.panels import PanelConfigError, add_panel, list_panels, parse_option, remove_panel

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(commands: Commands) -> None:
    panels = commands.add_parser("panels", help="classroom panels: registry and control")
    sub = panels.add_subparsers(dest="panels_command", required=True, metavar="COMMAND")
    add = sub.add_parser("add", help="register a room's panel and its control port")
    add.add_argument("room", help="the room's name (as in the timetable) or id")
    add.add_argument("--protocol", required=True, choices=sorted(PANEL_PROTOCOLS))
    link = add.add_mutually_exclusive_group(required=True)
    link.add_argument("--serial", metavar="PATH", help="e.g. /dev/serial/by-id/usb-…-port0")
    link.add_argument("--tcp", metavar="HOST:PORT", help="the panel's LAN control port")
    add.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="panel_id=N, baudrate=N, upper_case_inputs=true",
    )
    add.set_defaults(handler=_add)
    sub.add_parser("list", help="the registered panels").set_defaults(handler=_list)
    remove = sub.add_parser("remove", help="remove a room's panel")
    remove.add_argument("room")
    remove.set_defaults(handler=_remove)
    power = sub.add_parser("power", help="switch a room's panel on or off")
    power.add_argument("room")
    power.add_argument("state", choices=["on", "off"])
    power.set_defaults(handler=_power)
    source = sub.add_parser("input", help="select the input a room's panel shows")
    source.add_argument("room")
    source.add_argument("name", choices=INPUT_NAMES)
    source.set_defaults(handler=_input)
    status = sub.add_parser("status", help="what a room's panel says of itself")
    status.add_argument("room")
    status.set_defaults(handler=_status)


def _registry(args: argparse.Namespace, fn: Any, write: bool = True) -> Any:
    return database_job(args, fn, write=write, errors=(PanelConfigError,))


def _add(args: argparse.Namespace) -> int:
    address = args.serial or f"tcp://{args.tcp}"
    try:
        options = dict(parse_option(text) for text in args.option)
    except PanelConfigError as err:
        raise CliError(str(err)) from err
    _registry(
        args,
        lambda tx: add_panel(
            tx, room=args.room, protocol=args.protocol, address=address, options=options
        ),
    )
    print(f"added the panel of {args.room} ({args.protocol}, {address})")
    print("the running box's schedule takes it up within a minute")
    return 0


def _list(args: argparse.Namespace) -> int:
    rows: list[Row] = _registry(args, list_panels, write=False)
    print(f"{'ROOM':16} {'PROTOCOL':11} {'ADDRESS':44} OPTIONS")
    for row in rows:
        print(f"{row['room_name']:16} {row['protocol']:11} {row['address']:44} {row['options']}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    _registry(args, lambda tx: remove_panel(tx, args.room))
    print(f"removed the panel of {args.room}")
    return 0


def _power(args: argparse.Namespace) -> int:
    return _show(send_to_panel(settings_from(args), args.room, "power", args.state == "on"))


def _input(args: argparse.Namespace) -> int:
    return _show(send_to_panel(settings_from(args), args.room, "input", args.name))


def _status(args: argparse.Namespace) -> int:
    return _show(send_to_panel(settings_from(args), args.room, "status", None))


def _show(state: dict[str, Any]) -> int:
    print(" ".join(f"{name}={value}" for name, value in state.items()))
    return 0
