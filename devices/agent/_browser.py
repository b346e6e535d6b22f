"""The kiosk browser as the agent drives it, over DevTools: each `show` navigates the lesson tab
(no relaunch, no flicker; a browser that died is started again); `cover` puts a black tab in
front of the lesson and freezes it (its videos and sounds pause, its timers stop) and `uncover`
brings it back as it was, on the same page; key presses wait until the lesson takes them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from devices.agent._chromium import START_SECONDS, Chromium
from devices.agent._devtools import DevTools
from devices.agent._display import DisplayError

BLACK = "data:text/html,<html style='background:%23000;cursor:none'></html>"
SETTLE_SECONDS = 3.0
TAKES_KEYS = (
    "document.hasFocus() &&"
    " (performance.getEntriesByType('paint').length > 0 || performance.now() > 3000)"
)
_log = logging.getLogger(__name__)


class KioskBrowser:
    def __init__(self, binary: str, *, no_sandbox: bool = False) -> None:
        self._chromium = Chromium(binary, no_sandbox=no_sandbox)
        self.devtools: DevTools | None = None
        self._lesson = self._cover = ""  # target ids: the lesson tab, the black tab over it

    @property
    def running(self) -> bool:
        return self._chromium.running and self.devtools is not None

    async def show(self, url: str) -> None:
        """Show `url` in the lesson tab, in front: navigate the running browser, or start one."""
        if self.devtools is None or not self.running:
            await self.close()
            self.devtools = await self._chromium.start(url)
            self._lesson = await self.devtools.first_page(START_SECONDS)
            return
        await self.uncover()
        if self._lesson not in {page["id"] for page in await self.devtools.pages()}:
            self._lesson = await self._new_tab(url)  # the lesson's tab was closed (by its page)
            return
        answer = await self.devtools.call("Page.navigate", {"url": url}, page=self._lesson)
        if answer.get("errorText"):
            raise DisplayError(f"the browser could not open {url}: {answer['errorText']}")

    async def cover(self) -> None:
        """A black tab in front of the lesson, frozen behind it (a black browser if none ran)."""
        if self.devtools is None or not self.running:
            await self.show(BLACK)
        elif not self._cover:
            self._cover = await self._new_tab(BLACK)
            with contextlib.suppress(DisplayError):  # frozen if it can be; covered anyway
                await self._until("document.visibilityState", "hidden", "hidden behind it")
                await self._lifecycle("frozen")
                return
            _log.warning("the lesson behind the black tab could not be frozen")

    async def uncover(self) -> bool:
        """Close the black tab, the lesson comes back as it was; False if there was none."""
        cover, self._cover = self._cover, ""
        if not cover or self.devtools is None or not self.running:
            return False
        with contextlib.suppress(DisplayError):  # not frozen (it could not be): active anyway
            await self._lifecycle("active")
        await self.devtools.call("Target.closeTarget", {"targetId": cover})
        await self.devtools.closed(cover, SETTLE_SECONDS)
        await self.devtools.call("Target.activateTarget", {"targetId": self._lesson})
        await self._until("document.visibilityState", "visible", "in front again")
        return True

    async def ready_for_keys(self) -> None:
        """Once the lesson page takes keys: Chromium hands a new page the focus a moment after
        the navigation, and drops all input until the page is first painted on the screen
        (or the page is 3 s old: a page with nothing to paint)."""
        if self.devtools is None or not self.running:
            raise DisplayError("the browser is not running: show the lesson again")
        await self._until(TAKES_KEYS, True, "on the screen with the keyboard focus")

    async def _new_tab(self, url: str) -> str:
        assert self.devtools is not None
        return str((await self.devtools.call("Target.createTarget", {"url": url}))["targetId"])

    async def _lifecycle(self, state: str) -> None:
        assert self.devtools is not None
        params = {"state": state}
        await self.devtools.call("Page.setWebLifecycleState", params, page=self._lesson)

    async def _until(self, expression: str, wanted: Any, what: str) -> None:
        assert self.devtools is not None
        check = {"expression": expression, "returnByValue": True}
        try:
            async with asyncio.timeout(SETTLE_SECONDS):
                while True:
                    answer = await self.devtools.call("Runtime.evaluate", check, page=self._lesson)
                    if answer.get("result", {}).get("value") == wanted:
                        return
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise DisplayError(f"the lesson page: not {what} within {SETTLE_SECONDS} s") from None

    async def close(self) -> None:
        self._cover = ""
        if self.devtools is not None:
            await self.devtools.close()
            self.devtools = None
        await self._chromium.stop()
