"""`edge init`, `edge run` and `edge demo`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from edge.accounts import Role, add_user, hash_password
from edge.cli._common import CliError, open_database, read_password, settings_from
from edge.keys import ensure_box_keys
from edge.service import configure_logging, serve


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = commands.add_parser("init", help="prepare the data folder, database, keys, first admin")
    init.add_argument(
        "--data-dir", type=Path, default=argparse.SUPPRESS, help="override box.data_dir"
    )
    init.add_argument("--admin", metavar="USERNAME", help="create this admin account")
    init.add_argument("--password-stdin", action="store_true", help="read its password from stdin")
    init.set_defaults(handler=_init)
    run = commands.add_parser("run", help="serve the box (what the systemd unit runs)")
    run.add_argument(
        "--data-dir", type=Path, default=argparse.SUPPRESS, help="override box.data_dir"
    )
    run.set_defaults(handler=_run)


def _init(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    password = read_password(args.password_stdin) if args.admin else None
    settings.box.data_dir.mkdir(parents=True, exist_ok=True, mode=0o750)
    key_path, made_key = ensure_box_keys(settings.keys_dir)

    async def run() -> None:
        async with open_database(settings, must_exist=False) as db:
            if args.admin and password is not None:
                password_hash = hash_password(password)
                await db.write(lambda tx: add_user(tx, args.admin, Role.ADMIN, password_hash))

    asyncio.run(run())
    print(f"data folder: {settings.box.data_dir}")
    print(f"database:    {settings.database_path}")
    print(f"box key:     {key_path} ({'new' if made_key else 'kept'})")
    if args.admin:
        print(f"admin:       {args.admin}")
    return 0


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not settings.database_path.exists():
        raise CliError(f"no database at {settings.database_path}; run `edge init` first")
    configure_logging(settings.log.level)
    asyncio.run(serve(settings))
    return 0
