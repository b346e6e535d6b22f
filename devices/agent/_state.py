"""What the agent keeps across restarts: its own stable id (made once, never an address) and
its device token (absent until paired, dropped when the box says it is no longer valid)."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

STATE_FILE = "agent.json"


@dataclass
class AgentState:
    path: Path
    agent_id: str
    token: str | None = None

    @classmethod
    def load(cls, state_dir: Path) -> AgentState:
        path = state_dir / STATE_FILE
        if path.exists():
            saved = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, str(saved["agent_id"]), saved.get("token"))
        state = cls(path, str(uuid.uuid4()))
        state.save()
        return state

    def save(self) -> None:
        """Written whole to a private file, then renamed over the old one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        data = json.dumps({"agent_id": self.agent_id, "token": self.token})
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(data)
        temporary.replace(self.path)

    def paired(self, token: str) -> None:
        self.token = token
        self.save()

    def forget_token(self) -> None:
        self.token = None
        self.save()
