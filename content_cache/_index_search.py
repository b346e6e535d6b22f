"""Catalog search: FTS5 over title, subject, grades and kind, with exact filters."""

from __future__ import annotations

import re
import unicodedata

from content_cache._index_schema import SELECT

MAX_LIMIT = 1000
MAX_TERMS = 16
_TERM = re.compile(r"\w+")


def search_query(
    text: str, *, subject: str | None, grade: str | None, kind: str | None, limit: int
) -> tuple[str, list[str]]:
    """The SQL and parameters selecting live entries matching every word of `text` (as a
    prefix), best first, filtered exactly by `subject`, `grade` and `kind`."""
    source, order, clauses, params = "entries e", "e.title, e.id", ["e.deleted = 0"], []
    match = _match(text)
    if match:
        source = "entries_fts JOIN entries e ON e.doc = entries_fts.rowid"
        order = "entries_fts.rank, e.id"
        clauses.append("entries_fts MATCH ?")
        params.append(match)
    for value, clause in (
        (subject, "e.subject = ?"),
        (grade, "EXISTS (SELECT 1 FROM json_each(e.grades) WHERE value = ?)"),
        (kind, "e.kind = ?"),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    where = " AND ".join(clauses)
    limit = max(1, min(limit, MAX_LIMIT))
    return f"SELECT {SELECT} FROM {source} WHERE {where} ORDER BY {order} LIMIT {limit}", params


def _match(text: str) -> str:
    """An FTS5 query of the words of `text`, each quoted (so `AND`, `"` or `*` are only text)."""
    terms = _TERM.findall(unicodedata.normalize("NFC", text))[:MAX_TERMS]
    return " ".join('"' + term.replace('"', '""') + '"*' for term in terms)
