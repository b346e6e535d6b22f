"""Who is calling: the account, its role and the person it stands for in the roster."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    TEACHER = "teacher"
    STUDENT = "student"
    DEVICE = "device"


@dataclass(frozen=True)
class Principal:
    user_id: str
    username: str
    role: Role
    person_id: str | None
