"""The real panel: a kiosk Chromium, page turns as key presses and idle time from a listener of
the person's mouse and keyboard (pynput; imported only here, it needs the panel's X display).
As in headless mode, a command from the box counts as activity too."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import time
from typing import Any
from urllib.parse import quote

from devices.agent._browser import KioskBrowser
from devices.agent._chromium import find_browser
from devices.agent._display import DisplayError

STOP_SECONDS = 2.0
_log = logging.getLogger(__name__)


def text_page(title: str, text: str) -> str:
    body = (
        "<html style='background:#000;color:#fff;font-family:sans-serif;text-align:center'>"
        f"<h1 style='font-size:4vw;margin-top:20vh'>{html.escape(title)}</h1>"
        f"<p style='font-size:12vw;letter-spacing:.1em'>{html.escape(text)}</p></html>"
    )
    return "data:text/html," + quote(body)


class KioskDisplay:
    def __init__(
        self, browser: str, next_key: str, previous_key: str, *, no_sandbox: bool = False
    ) -> None:
        self.browser = KioskBrowser(find_browser(browser), no_sandbox=no_sandbox)
        from pynput import keyboard, mouse  # needs the panel's display: an ImportError if none

        self._keyboard: Any = keyboard.Controller()
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
        await self.browser.show(text_page(title, text))
        self._showing, self._blanked = "", False

    async def show(self, url: str) -> None:
        self._heard()
        await self.browser.show(url)
        self._showing, self._blanked = url, False

    async def press(self, key: str) -> None:
        if self._blanked:
            raise DisplayError("the panel is blanked: unblank it first")
        self._heard()
        await self.browser.ready_for_keys()
        if self._keyboard is None:
            raise DisplayError("the display is closed")
        self._keyboard.press(self._keys[key])
        self._keyboard.release(self._keys[key])

    async def blank(self) -> None:
        self._heard()
        await self.browser.cover()
        self._blanked = True

    async def unblank(self) -> None:
        self._heard()
        if not await self.browser.uncover() and self._showing:
            await self.browser.show(self._showing)  # the browser was restarted meanwhile
        self._blanked = False

    def idle_seconds(self) -> float:
        return time.monotonic() - self._last_input

    def health(self) -> dict[str, Any]:
        return {
            "mode": "kiosk",
            "browser_running": self.browser.running,
            "showing": self._showing,
            "blanked": self._blanked,
            "input_listener": all(listener.is_alive() for listener in self._listeners),
        }

    async def close(self) -> None:
        await asyncio.to_thread(_stop, self._listeners)
        self._keyboard = None  # pynput has no close: its X connection closes as it is collected
        await self.browser.close()


def _stop(listeners: list[Any]) -> None:
    """Stop the listeners and wait for their threads. pynput <= 1.8 on X notices stop() only
    at the next input event (it disables its RECORD context on the busy connection: pynput PR
    #583), which on an untouched panel may never come; so disable it over a connection of ours,
    again until the thread ends (a listener just started may not be recording yet)."""
    import Xlib.display  # type: ignore[import-untyped]  # pynput's own X library
    import Xlib.error  # type: ignore[import-untyped]

    alive = [listener for listener in listeners if listener.is_alive()]
    for listener in alive:
        with contextlib.suppress(Xlib.error.ConnectionClosedError):  # it is ending already
            listener.stop()
    try:
        x = Xlib.display.Display()
    except (Xlib.error.DisplayError, OSError) as err:
        _log.warning("cannot reach the display to stop the input listeners: %s", err)
        return
    x.set_error_handler(lambda *_: None)  # a context its thread freed meanwhile: nothing to do
    deadline = time.monotonic() + STOP_SECONDS
    while (alive := [listener for listener in alive if listener.is_alive()]) and (
        time.monotonic() < deadline
    ):
        for listener in alive:
            if getattr(listener, "_context", 0):
                x.record_disable_context(listener._context)
        x.flush()
        alive[0].join(0.05)
    x.close()
    if alive:
        _log.warning("%d input listener(s) did not stop within %.0f s", len(alive), STOP_SECONDS)


def _key(keyboard: Any, name: str) -> Any:
    try:
        return getattr(keyboard.Key, name)
    except AttributeError:
        raise DisplayError(f"unknown key {name!r} (a pynput Key name, e.g. page_down)") from None
