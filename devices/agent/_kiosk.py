"""The real panel: a kiosk Chromium, page turns as key presses and idle time from a listener of
the person's mouse and keyboard (pynput; imported only here, it needs the panel's display)."""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from devices.agent._browser import KioskBrowser, find_browser
from devices.agent._display import DisplayError

BLACK = "data:text/html,<html style='background:%23000;cursor:none'></html>"


def text_page(title: str, text: str) -> str:
    body = (
        "<html style='background:#000;color:#fff;font-family:sans-serif;text-align:center'>"
        f"<h1 style='font-size:4vw;margin-top:20vh'>{html.escape(title)}</h1>"
        f"<p style='font-size:12vw;letter-spacing:.1em'>{html.escape(text)}</p></html>"
    )
    return "data:text/html," + quote(body)


class KioskDisplay:
    def __init__(self, browser: str, profile: Path, next_key: str, previous_key: str) -> None:
        self._browser = KioskBrowser(find_browser(browser), profile)
        from pynput import keyboard, mouse  # needs the panel's display: an ImportError if none

        self._keyboard = keyboard.Controller()
        self._keys = {"next": _key(keyboard, next_key), "previous": _key(keyboard, previous_key)}
        self._last_input = time.monotonic()
        self._listeners = [
            keyboard.Listener(on_press=self._heard),
            mouse.Listener(on_move=self._heard, on_click=self._heard, on_scroll=self._heard),
        ]
        for listener in self._listeners:
            listener.start()
        self._showing = ""
        self._blanked = False

    def _heard(self, *_: Any) -> None:
        self._last_input = time.monotonic()  # a float store: safe from the listener threads

    async def show_text(self, title: str, text: str) -> None:
        await self._browser.open(text_page(title, text))

    async def show(self, url: str) -> None:
        await self._browser.open(url)
        self._showing, self._blanked = url, False

    async def press(self, key: str) -> None:
        if self._blanked:
            raise DisplayError("the panel is blanked: unblank it first")
        self._keyboard.press(self._keys[key])
        self._keyboard.release(self._keys[key])

    async def blank(self) -> None:
        await self._browser.open(BLACK)
        self._blanked = True

    async def unblank(self) -> None:
        if self._showing:
            await self._browser.open(self._showing)
        self._blanked = False

    def idle_seconds(self) -> float:
        return time.monotonic() - self._last_input

    def health(self) -> dict[str, Any]:
        running = self._browser.running
        return {
            "mode": "kiosk",
            "browser_running": running,
            "showing": self._showing,
            "blanked": self._blanked,
        }

    async def close(self) -> None:
        for listener in self._listeners:
            listener.stop()
        await self._browser.close()


def _key(keyboard: Any, name: str) -> Any:
    try:
        return getattr(keyboard.Key, name)
    except AttributeError:
        raise DisplayError(f"unknown key {name!r} (a pynput Key name, e.g. page_down)") from None
