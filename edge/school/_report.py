"""What an import tells its user: the problems that stopped it, or what it changed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    why: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.why}"


class ImportFailed(Exception):
    """The file(s) had problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:50])
        more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s), nothing imported:\n{shown}{more}")


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def count(self, table: str, *, created: bool, changed: bool) -> None:
        target = self.created if created else self.updated if changed else self.unchanged
        target[table] += 1

    def summary(self) -> str:
        tables = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        lines = [
            f"{t}: {self.created[t]} new, {self.updated[t]} updated, {self.unchanged[t]} unchanged"
            for t in tables
        ]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)
