"""The box's side of diary sync with the hub: enrollment, push, pull and merge, the round that
does both, when it runs (the schedule), and what the box knows of where it stands."""

from edge.hubsync._enroll import (
    Enrollment,
    HubUnreachableError,
    NotEnrolledError,
    SyncError,
    enroll,
    enrollment,
)
from edge.hubsync._http import HubClient, probe_hub
from edge.hubsync._pull import PullReport, pull
from edge.hubsync._push import PushReport, push
from edge.hubsync._round import RoundReport, sync_once
from edge.hubsync._schedule import SyncScheduler, backoff_ceiling
from edge.hubsync._status import ScheduleState, SyncStatus, list_conflicts, read_status

__all__ = [
    "Enrollment",
    "HubClient",
    "HubUnreachableError",
    "NotEnrolledError",
    "PullReport",
    "PushReport",
    "RoundReport",
    "ScheduleState",
    "SyncError",
    "SyncScheduler",
    "SyncStatus",
    "backoff_ceiling",
    "enroll",
    "enrollment",
    "list_conflicts",
    "probe_hub",
    "pull",
    "push",
    "read_status",
    "sync_once",
]
