"""The commands the box sends an agent, and the absolute URL a `show` opens on the panel."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from edge.panelagents._errors import PanelAgentError

COMMANDS = frozenset({"show", "next", "previous", "blank", "unblank", "health"})


class BadCommand(PanelAgentError):
    code = "invalid"


def lesson_path(entry_id: str, path: str = "") -> str:
    """The box's URL path of a lesson file: entry ids hold '/', sent as %2F."""
    return f"/lessons/{quote(entry_id, safe='')}/{quote(path.lstrip('/'), safe='/')}"


def blob_path(sha256: str) -> str:
    return f"/content/{sha256}"


def command_message(command_id: str, command: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The message for one agent: `show` URLs that are paths on the box become absolute, on the
    address this agent reaches the box by."""
    name = command.get("command")
    if name not in COMMANDS:
        raise BadCommand(f"unknown panel command {name!r}; known: {', '.join(sorted(COMMANDS))}")
    message = {"type": "command", "id": command_id, **command}
    if name == "show":
        message["url"] = absolute_url(str(command.get("url", "")), base_url)
    return message


def absolute_url(url: str, base_url: str) -> str:
    if url.startswith("/") and not url.startswith("//"):
        return base_url.rstrip("/") + url
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        return url
    raise BadCommand(f"a panel shows http(s) URLs or paths on this box, not {url!r}")
