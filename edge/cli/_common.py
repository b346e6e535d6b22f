"""What every command shares: settings from --config, the database, reading a password."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from edge.accounts import check_strength
from edge.db import Database
from edge.settings import Settings, load_settings


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def settings_from(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    data_dir: Path | None = getattr(args, "data_dir", None)
    if data_dir is not None:
        settings = settings.replace("box", data_dir=data_dir)
    return settings


@asynccontextmanager
async def open_database(settings: Settings, *, must_exist: bool = True) -> AsyncIterator[Database]:
    if must_exist and not settings.database_path.exists():
        raise CliError(f"no database at {settings.database_path}; run `edge init` first")
    async with Database(
        settings.database_path,
        reader_threads=1,
        busy_timeout_ms=settings.storage.busy_timeout_ms,
    ) as db:
        yield db


def database_job(
    args: argparse.Namespace,
    fn: Callable[[Any], Any],
    *,
    write: bool = True,
    errors: tuple[type[Exception], ...] = (),
) -> Any:
    """Run `fn` as one write job (or a read) on the box's database; `errors` become CliError."""

    async def go() -> Any:
        async with open_database(settings_from(args)) as db:
            return await (db.write(fn) if write else db.read(fn))

    try:
        return asyncio.run(go())
    except errors as err:
        raise CliError(str(err)) from err


def read_password(from_stdin: bool, prompt: str = "Password") -> str:
    """From the first line of stdin (scripts), or asked twice on the terminal."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(f"{prompt}: ")
        if getpass.getpass(f"{prompt} again: ") != password:
            raise CliError("the two passwords differ")
    else:
        raise CliError("no terminal to ask for a password: pass --password-stdin")
    check_strength(password)
    return password
