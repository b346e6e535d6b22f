"""Panel agents on the box: PIN pairing, the registry of paired agents, and the hub that holds
each connected agent's WebSocket and sends it commands (DESIGN.md, Devices)."""

from edge.panelagents._agents import (
    agent_for_account,
    list_agents,
    list_pairings,
    purge_stale_pairings,
    revoke_agent,
)
from edge.panelagents._claim import PairingState, device_username, poll_pairing
from edge.panelagents._commands import COMMANDS, BadCommand, blob_path, lesson_path
from edge.panelagents._errors import (
    AgentFailed,
    AgentNotConnected,
    AgentTimeout,
    NoSuchAgent,
    NoSuchRoom,
    PairingExpired,
    PairingLocked,
    PanelAgentError,
    WrongPin,
)
from edge.panelagents._hub import AgentHub
from edge.panelagents._link import GOING_AWAY, REPLACED, REVOKED, AgentLink
from edge.panelagents._pairing import (
    Confirmation,
    PairingOffer,
    PairingRules,
    confirm_pairing,
    request_pairing,
)
from edge.panelagents._rooms import lessons_now, require_room_controller

__all__ = [
    "COMMANDS",
    "GOING_AWAY",
    "REPLACED",
    "REVOKED",
    "AgentFailed",
    "AgentHub",
    "AgentLink",
    "AgentNotConnected",
    "AgentTimeout",
    "BadCommand",
    "Confirmation",
    "NoSuchAgent",
    "NoSuchRoom",
    "PairingExpired",
    "PairingLocked",
    "PairingOffer",
    "PairingRules",
    "PairingState",
    "PanelAgentError",
    "WrongPin",
    "agent_for_account",
    "blob_path",
    "confirm_pairing",
    "device_username",
    "lesson_path",
    "lessons_now",
    "list_agents",
    "list_pairings",
    "poll_pairing",
    "purge_stale_pairings",
    "request_pairing",
    "require_room_controller",
    "revoke_agent",
]
