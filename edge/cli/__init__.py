"""The `edge` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from edge import __version__
from edge.accounts import AccountError, WeakPassword
from edge.cli import _content, _demo, _imports, _panels, _readers, _serve, _sync, _users
from edge.cli._common import CliError
from edge.db import StorageError
from edge.school import ImportFailed
from edge.settings import DEFAULT_CONFIG_PATH, SettingsError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edge", description="Classroom Edge: the school's box for lessons and the diary."
    )
    parser.add_argument("--version", action="version", version=f"edge {__version__}")
    parser.add_argument(
        "--config", type=Path, help=f"TOML settings file (default {DEFAULT_CONFIG_PATH} if present)"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="the box's data folder (overrides box.data_dir)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (_serve, _demo, _imports, _users, _readers, _panels, _sync, _content):
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except ImportFailed as err:
        print(f"edge: {err}", file=sys.stderr)
        return 1
    except (CliError, SettingsError, AccountError, WeakPassword, StorageError) as err:
        print(f"edge: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code
