"""`edge-panel`: the panel agent's command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from pathlib import Path

from devices.agent._agent import PanelAgent
from devices.agent._config import AgentConfig, ConfigError, load_config
from devices.agent._display import Display, DisplayError, HeadlessDisplay
from devices.agent._kiosk import KioskDisplay


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edge-panel", description="Classroom Edge panel agent: shows lessons sent by the box"
    )
    parser.add_argument(
        "--config", type=Path, help="TOML file (default /etc/edge-panel/agent.toml)"
    )
    parser.add_argument("--box", dest="box_url", help="the box's URL, e.g. http://10.0.0.5:8080")
    parser.add_argument("--state-dir", type=Path, help="where the agent keeps its id and token")
    parser.add_argument("--name", help="this panel's name, shown to whoever confirms its PIN")
    parser.add_argument("--room", dest="room_hint", help="the room this panel hangs in (a hint)")
    parser.add_argument(
        "--headless", action="store_const", const=True, help="no browser or keys: log them"
    )
    parser.add_argument(
        "--no-sandbox",
        action="store_const",
        const=True,
        help="run Chromium without its sandbox: only honoured as root (containers, CI)",
    )
    return parser


def make_display(config: AgentConfig) -> Display:
    if config.headless:
        return HeadlessDisplay()
    return KioskDisplay(
        config.browser, config.next_key, config.previous_key, no_sandbox=config.no_sandbox
    )


async def _run(config: AgentConfig) -> None:
    # importing pynput and connecting to X can take most of a second: not on the loop
    display = await asyncio.to_thread(make_display, config)
    try:
        await PanelAgent(config, display).run()
    finally:
        await display.close()


def main(argv: list[str] | None = None) -> int:
    args = vars(build_parser().parse_args(argv))
    logging.basicConfig(level="INFO", format="%(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(args.pop("config")).replace(**args)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_run(config))
    except (ConfigError, DisplayError, ImportError, OSError) as err:
        print(f"edge-panel: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
