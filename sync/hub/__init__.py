"""The reference central server, `edge-hub`: enrollment, signed push and pull, per-school feed."""

from sync.hub._app import create_hub_app
from sync.hub._store import Box, HubError, HubStore, key_id_for

__all__ = ["Box", "HubError", "HubStore", "create_hub_app", "key_id_for"]
