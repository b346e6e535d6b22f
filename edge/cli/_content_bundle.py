"""`edge content export DIR [--subject S] [--grade G] [--items ID,…]` and `edge content import
DIR`: lessons carried on a USB drive (docs/catalog-format.md, "USB bundles")."""

from __future__ import annotations

import argparse
import asyncio
import base64
import sys
import time
from pathlib import Path
from typing import TypeAlias

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from content_cache import (
    BundleError,
    ImportReport,
    TextBar,
    blob_sizes,
    choose_entries,
    import_bundle,
    index_log_lines,
    write_bundle,
)
from edge.cli._common import CliError, open_database, settings_from
from edge.hubsync import enrollment
from edge.prefetch import ContentBusy, content_parts
from edge.prefetch._round import fetch_lock
from edge.settings import Settings

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register_bundles(sub: Commands) -> None:
    export = sub.add_parser(
        "export", help="write the catalog and lessons to a USB drive (DIR/classedge-bundle)"
    )
    export.add_argument("dir", type=Path, metavar="DIR")
    export.add_argument("--subject", help="only entries of this subject")
    export.add_argument("--grade", help="only entries for this grade")
    export.add_argument("--items", help="only these entry ids, comma-separated")
    export.set_defaults(handler=_export)
    load = sub.add_parser("import", help="check and copy in a bundle from a USB drive")
    load.add_argument("dir", type=Path, metavar="DIR")
    load.set_defaults(handler=_import)


def _export(args: argparse.Namespace) -> int:
    ids = {item.strip() for item in (args.items or "").split(",") if item.strip()}
    bar = TextBar(sys.stderr)
    with content_parts(settings_from(args)) as (catalog, store):
        signed = catalog.signed_head()
        if signed is None:
            raise CliError("this box holds no catalog yet: run `edge content fetch` first")
        try:
            chosen = choose_entries(
                catalog.live_entries(), subject=args.subject, grade=args.grade, ids=ids
            )
            sources, absent = {}, 0
            for sha, size in blob_sizes(chosen).items():
                path = store.path(sha)
                if path is None:
                    absent += 1
                else:
                    sources[sha] = (path, size)
            done = write_bundle(args.dir, signed, index_log_lines(catalog), sources, bar)
        except BundleError as err:
            raise CliError(str(err)) from err
        finally:
            bar.finish()
    print(
        f"exported catalog version {signed.head.version} and {done.blobs} blobs of"
        f" {len(chosen)} entries to {done.root} ({done.written} written,"
        f" {done.bytes_written / 1e6:.1f} MB; {done.kept} were there already)"
    )
    for line in done.left_out:
        print(line, file=sys.stderr)
    if absent:
        print(f"{absent} blobs are not on this box yet: left out", file=sys.stderr)
    return 1 if absent or done.left_out else 0


def _import(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    public_key = asyncio.run(_content_key(settings))
    bar = TextBar(sys.stderr)
    try:
        with fetch_lock(settings), content_parts(settings) as (catalog, store):
            report = import_bundle(args.dir, catalog, store, public_key, int(time.time()), bar)
    except (BundleError, ContentBusy) as err:
        raise CliError(f"{err}") from err
    finally:
        bar.finish()
    _summarize(report)
    return 1 if report.refused or report.catalog_refused else 0


async def _content_key(settings: Settings) -> Ed25519PublicKey:
    async with open_database(settings) as db:
        who = await enrollment(db)
    if who is None:
        raise CliError(
            "this box is not enrolled with a hub, so it cannot check a bundle's signature:"
            " enroll it first (edge enroll HUB_URL TOKEN)"
        )
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(who.content_key))


def _summarize(report: ImportReport) -> None:
    if report.catalog_refused:
        print(f"the bundle's catalog was REFUSED: {report.catalog_refused}", file=sys.stderr)
    catalog = (
        f"catalog version {report.version_before} → {report.version_after}"
        if report.version_after != report.version_before
        else f"catalog stays at version {report.version_after} (the bundle's is"
        f" {report.bundle_version})"
    )
    print(
        f"{catalog}; {report.copied} blobs imported ({report.bytes_copied / 1e6:.1f} MB),"
        f" {report.already} were here already, {report.unwanted} not in this box's catalog"
        f" (left out), {len(report.refused)} refused"
    )
    for line in report.refused:
        print(line, file=sys.stderr)
