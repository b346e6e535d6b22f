"""`edge users add|passwd|list`."""

from __future__ import annotations

import argparse
import asyncio

from edge.accounts import Role, add_user, hash_password, list_users, set_password
from edge.cli._common import open_database, read_password, settings_from


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = commands.add_parser("users", help="manage the accounts that log in to this box")
    sub = users.add_subparsers(dest="users_command", required=True, metavar="COMMAND")
    add = sub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--person", help="the roster person (sourcedId, username or e-mail)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=_add)
    passwd = sub.add_parser("passwd", help="set a new password (ends the account's sessions)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(handler=_passwd)
    listing = sub.add_parser("list", help="list the accounts")
    listing.set_defaults(handler=_list)


def _add(args: argparse.Namespace) -> int:
    password_hash = hash_password(read_password(args.password_stdin))
    role = Role(args.role)

    async def run() -> None:
        async with open_database(settings_from(args)) as db:
            await db.write(lambda tx: add_user(tx, args.username, role, password_hash, args.person))

    asyncio.run(run())
    print(f"added {role.value} {args.username}")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    password_hash = hash_password(read_password(args.password_stdin, "New password"))

    async def run() -> None:
        async with open_database(settings_from(args)) as db:
            await db.write(lambda tx: set_password(tx, args.username, password_hash))

    asyncio.run(run())
    print(f"password changed for {args.username}; its sessions are ended")
    return 0


def _list(args: argparse.Namespace) -> int:
    async def run() -> list[dict[str, object]]:
        async with open_database(settings_from(args)) as db:
            return await db.read(list_users)

    rows = asyncio.run(run())
    print(f"{'USERNAME':24} {'ROLE':8} {'STATE':9} PERSON")
    for row in rows:
        state = "disabled" if row["disabled"] else "active"
        print(f"{row['username']!s:24} {row['role']!s:8} {state:9} {row['person'] or '-'}")
    return 0
