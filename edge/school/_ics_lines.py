"""RFC 5545 content lines: unfolding, `NAME;PARAM=VALUE:value`, and the BEGIN/END component tree.

Every property keeps the physical line it starts on, so problems can say where they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from edge.school._ics_values import unescape_text

if TYPE_CHECKING:
    from collections.abc import Mapping

_NEWLINE = re.compile(r"\r\n|\n|\r")
_NAME = re.compile(r"[A-Za-z0-9-]+")
_PARAM = re.compile(r';([A-Za-z0-9-]+)=((?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)')
_PARAM_VALUE = re.compile(r'"([^"]*)"|([^",]+)')

#: (line number, message) — the caller adds the file name
LineProblem = tuple[int, str]


@dataclass(frozen=True)
class Property:
    name: str
    params: Mapping[str, str]
    value: str
    line: int

    @property
    def text(self) -> str:
        """The value as TEXT, unescaped."""
        return unescape_text(self.value)


@dataclass
class Component:
    name: str
    line: int
    properties: list[Property] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def all(self, name: str) -> list[Property]:
        return [p for p in self.properties if p.name == name]

    def first(self, name: str) -> Property | None:
        return next((p for p in self.properties if p.name == name), None)


def content_lines(text: str) -> list[tuple[int, str]]:
    """Unfolded logical lines with the physical line each starts on; blank lines are dropped."""
    text = text.removeprefix("\ufeff")
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(_NEWLINE.split(text), start=1):
        if raw[:1] in (" ", "\t") and lines:
            start, previous = lines[-1]
            lines[-1] = (start, previous + raw[1:])
        elif raw.strip():
            lines.append((number, raw))
    return lines


def parse_property(line: int, text: str) -> Property:
    """One logical line; raises ValueError saying what is wrong with it."""
    name = _NAME.match(text)
    if not name:
        raise ValueError(f"not a content line (no property name): {_excerpt(text)}")
    params: dict[str, str] = {}
    pos = name.end()
    while pos < len(text) and text[pos] == ";":
        param = _PARAM.match(text, pos)
        if not param:
            raise ValueError(f"bad parameter in {_excerpt(text)}")
        values = [quoted or plain for quoted, plain in _PARAM_VALUE.findall(param.group(2))]
        params[param.group(1).upper()] = ",".join(values)
        pos = param.end()
    if pos >= len(text) or text[pos] != ":":
        raise ValueError(f"no ':' after the property name: {_excerpt(text)}")
    return Property(name.group().upper(), params, text[pos + 1 :], line)


def _excerpt(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


class _TreeBuilder:
    def __init__(self, problems: list[LineProblem]) -> None:
        self.roots: list[Component] = []
        self.stack: list[Component] = []
        self.problems = problems

    def feed(self, prop: Property) -> None:
        if prop.name == "BEGIN":
            self._begin(prop)
        elif prop.name == "END":
            self._end(prop)
        elif self.stack:
            self.stack[-1].properties.append(prop)
        else:
            self.problems.append((prop.line, f"{prop.name} outside BEGIN:VCALENDAR"))

    def finish(self) -> list[Component]:
        self._abandon(0)
        return self.roots

    def _begin(self, prop: Property) -> None:
        name = prop.value.strip().upper()
        if not name:
            self.problems.append((prop.line, "BEGIN without a component name"))
            return
        open_names = [c.name for c in self.stack]
        if name in open_names:  # a component cannot contain itself: the open one never ended
            self._abandon(len(open_names) - 1 - open_names[::-1].index(name))
        self.stack.append(Component(name, prop.line))

    def _end(self, prop: Property) -> None:
        name = prop.value.strip().upper()
        open_names = [c.name for c in self.stack]
        if name not in open_names:
            self.problems.append((prop.line, f"END:{name} without BEGIN:{name}"))
            return
        self._abandon(len(open_names) - open_names[::-1].index(name))
        done = self.stack.pop()
        (self.stack[-1].children if self.stack else self.roots).append(done)

    def _abandon(self, depth: int) -> None:
        """Components above `depth` were never closed: report each and drop it."""
        for component in self.stack[depth:]:
            why = f"BEGIN:{component.name} has no END:{component.name}"
            self.problems.append((component.line, why))
        del self.stack[depth:]


def component_tree(text: str, problems: list[LineProblem]) -> list[Component]:
    """The top-level components of `text`; malformed lines and BEGIN/END mismatches → problems."""
    builder = _TreeBuilder(problems)
    for number, line in content_lines(text):
        try:
            builder.feed(parse_property(number, line))
        except ValueError as err:
            problems.append((number, str(err)))
    return builder.finish()
