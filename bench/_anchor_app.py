"""The anchor: a bare aiohttp app answering one bearer-checked route with a fixed JSON body read
from memory — what aiohttp itself manages on this machine, with no database and no auth lookup."""

from __future__ import annotations

import sys

from aiohttp import web


def main() -> None:
    port, body_path = int(sys.argv[1]), sys.argv[2]
    with open(body_path, "rb") as handle:
        body = handle.read()

    async def today(request: web.Request) -> web.Response:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            raise web.HTTPUnauthorized()
        return web.Response(body=body, content_type="application/json")

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/api/v1/timetable/today", today)
    app.router.add_get("/healthz", health)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None, backlog=1024)


if __name__ == "__main__":
    main()
