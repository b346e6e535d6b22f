"""The box's side of diary sync with the hub: enrollment and push (pull comes next)."""

from edge.hubsync._enroll import Enrollment, SyncError, enroll, enrollment
from edge.hubsync._push import PushReport, push

__all__ = ["Enrollment", "PushReport", "SyncError", "enroll", "enrollment", "push"]
