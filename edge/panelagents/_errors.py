"""Panel-agent errors; the HTTP layer maps each to one status code, once, at the boundary."""

from __future__ import annotations


class PanelAgentError(Exception):
    code = "panel_agent_error"


class NoSuchAgent(PanelAgentError):
    """No paired agent, or no pending pairing, with that id (or that claim)."""

    code = "not_found"


class NoSuchRoom(PanelAgentError):
    code = "not_found"


class PairingExpired(PanelAgentError):
    """The PIN is no longer valid: the agent asks for a new one."""

    code = "pairing_expired"


class WrongPin(PanelAgentError):
    code = "wrong_pin"


class PairingLocked(PanelAgentError):
    """Too many wrong PINs: pairing that agent waits `retry_after` seconds."""

    code = "pairing_locked"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AgentNotConnected(PanelAgentError):
    code = "agent_not_connected"


class AgentTimeout(PanelAgentError):
    code = "agent_timeout"


class AgentFailed(PanelAgentError):
    """The agent answered the command with an error, or went away before it answered."""

    code = "agent_failed"
