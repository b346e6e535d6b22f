"""Lesson content on the box's side: the prefetch plan from the timetable, what a day still
lacks, and teachers' materials and pins (issue 3, item 5). The catalog and blob store are
`content_cache`'s; this package joins them to the diary."""

from edge.content._entries import entry_detail, search_entries
from edge.content._inputs import PlanInputs, next_school_day, read_plan_inputs
from edge.content._materials import (
    attach_material,
    content_pins,
    detach_material,
    lesson_materials,
    pin_entry,
    unpin_entry,
)
from edge.content._missing import LessonGap, MissingEntry, missing_for
from edge.content._planning import PIN_REASONS, plan

__all__ = [
    "PIN_REASONS",
    "LessonGap",
    "MissingEntry",
    "PlanInputs",
    "attach_material",
    "content_pins",
    "detach_material",
    "entry_detail",
    "lesson_materials",
    "missing_for",
    "next_school_day",
    "pin_entry",
    "plan",
    "read_plan_inputs",
    "search_entries",
    "unpin_entry",
]
