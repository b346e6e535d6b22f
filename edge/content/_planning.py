"""Plan the prefetch from the diary and re-pin the blob store to match.

What the coming lessons need and what teachers pinned is pinned in the store ("timetable",
"teacher"), so eviction never takes it. The subjects tier gets what is left of the quota once
every pinned blob — stored, or still to come for those two tiers — is counted."""

from __future__ import annotations

import asyncio
from datetime import datetime

from content_cache import BlobStore, CatalogIndex, Wanted, plan_downloads
from edge.content._inputs import PlanInputs, read_plan_inputs
from edge.db import Database
from edge.settings import Settings

#: BlobStore pin reasons, one per tier that must not be evicted
PIN_REASONS = {"timetable": "timetable", "pinned": "teacher"}


async def plan(
    db: Database, catalog: CatalogIndex, blobs: BlobStore, settings: Settings, now: datetime
) -> list[Wanted]:
    """The wanted blobs, most needed first, for the school days from `now` (the box's clock)."""
    today = now.astimezone(settings.tz).date()
    days, tz = settings.content.plan_days, settings.tz
    inputs = await db.read(lambda conn: read_plan_inputs(conn, today, days, tz))
    return await asyncio.to_thread(_plan_and_pin, inputs, catalog, blobs)


def _plan_and_pin(inputs: PlanInputs, catalog: CatalogIndex, blobs: BlobStore) -> list[Wanted]:
    needed = plan_downloads(inputs.lesson_needs, inputs.pinned_ids, (), catalog, 0)
    for tier, reason in PIN_REASONS.items():
        blobs.set_pins(reason, [w.sha256 for w in needed if w.reason == tier])
    usage = blobs.usage()
    still_to_come = sum(w.size for w in needed if not blobs.has(w.sha256))
    budget = max(0, usage.quota - usage.pinned_bytes - still_to_come)
    return plan_downloads(
        inputs.lesson_needs, inputs.pinned_ids, inputs.subject_grades, catalog, budget
    )
