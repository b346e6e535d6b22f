"""Lesson content cache: signed catalog, blob store, fetcher, LAN serving — see DESIGN.md."""
