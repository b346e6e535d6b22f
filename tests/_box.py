"""A running box on loopback (aiohttp's test server) with the small school, and login helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from edge.settings import Settings
from edge.web import create_app
from edge.web._keys import DB
from tests._school import PASSWORD, School, seed_school

TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


def box_settings(data_dir: Path, **auth: Any) -> Settings:
    # no mDNS from tests: tests/test_discovery.py advertises on loopback only
    settings = Settings().replace("box", data_dir=data_dir).replace("discovery", enabled=False)
    return settings.replace("auth", **auth) if auth else settings


def make_app(settings: Settings) -> Any:
    return create_app(settings, clock=lambda: NOW)


@dataclass
class Box:
    client: TestClient[Any, Any]
    school: School
    tokens: dict[str, str] = field(default_factory=dict)

    async def login(self, username: str, password: str = PASSWORD) -> str:
        if username not in self.tokens:
            response = await self.client.post(
                "/api/v1/login", json={"username": username, "password": password}
            )
            assert response.status == 200, await response.text()
            self.tokens[username] = (await response.json())["token"]
            self.client.session.cookie_jar.clear()  # each call says who it is, by token
        return self.tokens[username]

    async def call(
        self, method: str, path: str, who: str | None = None, json: Any = None, **kwargs: Any
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {await self.login(who)}"} if who else {}
        response = await self.client.request(
            method, f"/api/v1{path}", headers=headers, json=json, **kwargs
        )
        text = await response.text()
        if response.content_type == "application/json" and text:
            return response.status, await response.json()
        return response.status, text


async def start_box(client: TestClient[Any, Any]) -> Box:
    school = await seed_school(client.app[DB], TODAY)
    return Box(client, school)
