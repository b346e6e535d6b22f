"""Diary errors; the HTTP layer maps each to one status code, once, at the boundary."""

from __future__ import annotations


class DiaryError(Exception):
    code = "diary_error"


class NotFoundError(DiaryError):
    code = "not_found"


class ForbiddenError(DiaryError):
    code = "forbidden"


class InvalidError(DiaryError):
    code = "invalid"


class ConflictError(DiaryError):
    code = "conflict"
