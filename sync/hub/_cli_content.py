"""`edge-hub content`: publish lessons, textbooks and videos to the catalog boxes pull, list
the catalog, delete from it, export it to a USB bundle (docs/catalog-format.md)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from content_cache import KINDS, CatalogEntry, CatalogFile
from sync.hub._content import HubCatalog
from sync.hub._content_export import export_bundle
from sync.hub._content_pack import Item, mime_of, scanned
from sync.hub._errors import HubError
from sync.hub._store import HubStore

_NOT_SLUG = re.compile(r"[\W_]+")


def add_content_commands(
    commands: Any, open_store: Callable[[argparse.Namespace], HubStore]
) -> None:
    """Add `content publish`, `list`, `delete` and `export` to `edge-hub`."""

    def catalog(args: argparse.Namespace) -> HubCatalog:
        return HubCatalog(open_store(args), args.data_dir)

    content = commands.add_parser("content", help="the content catalog boxes pull")
    sub = content.add_subparsers(dest="content_command", required=True, metavar="COMMAND")
    publish = sub.add_parser(
        "publish", help="publish a folder or .zip: each top-level item is one entry"
    )
    publish.add_argument("path", type=Path, metavar="PATH")
    publish.add_argument("--subject", default="")
    publish.add_argument("--grades", default="", help="comma-separated, e.g. 7,8")
    publish.add_argument("--language", default="")
    publish.add_argument("--kind", choices=sorted(KINDS), help="when PATH is one item")
    publish.add_argument("--title", help="when PATH is one item")
    publish.add_argument("--id", dest="entry_id", help="when PATH is one item")
    publish.set_defaults(handler=lambda args: _publish(catalog(args), args))
    sub.add_parser("list", help="the catalog's entries, one a line").set_defaults(
        handler=lambda args: _list(catalog(args))
    )
    delete = sub.add_parser("delete", help="delete an entry (boxes drop it on their next pull)")
    delete.add_argument("entry_id", metavar="ID")
    delete.set_defaults(handler=lambda args: _delete(catalog(args), args.entry_id))
    export = sub.add_parser("export", help="a USB bundle for boxes: DIR/classedge-bundle")
    export.add_argument("dir", type=Path, metavar="DIR")
    export.add_argument("--subject", help="only entries of this subject")
    export.add_argument("--grade", help="only entries for this grade")
    export.add_argument("--items", help="only these entry ids, comma-separated")
    export.set_defaults(handler=lambda args: export_bundle(open_store(args), args))


def slug(subject: str, name: str) -> str:
    """`Math`, `Fractions_Intro` → `math/fractions-intro` (letters of any script are kept)."""
    parts = [_NOT_SLUG.sub("-", part.lower()).strip("-") for part in (subject, name)]
    return "/".join(part for part in parts if part)


def _publish(catalog: HubCatalog, args: argparse.Namespace) -> None:
    grades = tuple(grade.strip() for grade in args.grades.split(",") if grade.strip())
    with scanned(args.path) as scan:
        for skipped in scan.skipped:
            print(f"skipped {skipped}")
        one = [args.kind, args.title, args.entry_id]
        if len(scan.items) != 1 and any(flag is not None for flag in one):
            raise HubError(400, "bad_request", "--kind, --title and --id need PATH to be one item")
        entries = [_entry(catalog, item, args, grades) for item in scan.items]
    ids = [entry.id for entry in entries]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise HubError(400, "bad_request", f"two items would be {', '.join(twice)}: rename one")
    written = {entry.id: entry for entry in catalog.publish(entries)}
    for entry in entries:
        record = written.get(entry.id)
        if record is None:
            print(f"unchanged {entry.id}")
            continue
        size = sum(file.size for file in record.files)
        print(f"published {record.id} v{record.version} ({len(record.files)} files, {size} bytes)")


def _entry(
    catalog: HubCatalog, item: Item, args: argparse.Namespace, grades: tuple[str, ...]
) -> CatalogEntry:
    files = []
    for path, source in item.files:
        sha256, size = catalog.add_blob(source)
        files.append(CatalogFile(path, sha256, size, mime_of(path)))
    entry_id = args.entry_id or slug(args.subject, item.name)
    if not entry_id:
        raise HubError(400, "bad_request", f"{item.name!r}: give it an --id")
    return CatalogEntry(
        id=entry_id,
        kind=args.kind or item.kind,
        title=args.title or re.sub(r"[_-]+", " ", item.name).strip(),
        subject=args.subject,
        grades=grades,
        language=args.language,
        files=tuple(files),
        version=0,
    )


def _list(catalog: HubCatalog) -> None:
    for entry in catalog.latest():
        if not entry.deleted:
            size = sum(file.size for file in entry.files)
            print(f"{entry.id}\tv{entry.version}\t{entry.kind}\t{entry.title}\t{size} bytes")


def _delete(catalog: HubCatalog, entry_id: str) -> None:
    record = catalog.delete(entry_id)
    print(f"deleted {entry_id} v{record.version}" if record else f"unchanged {entry_id}")
