"""Docs that the code keeps true."""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path

from edge.cli import build_parser
from edge.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_example_config_lists_every_setting_with_its_default() -> None:
    example = load_settings(ROOT / "docs" / "edge.example.toml", environ={})
    assert example == Settings()
    text = (ROOT / "docs" / "edge.example.toml").read_text(encoding="utf-8")
    for section in dataclasses.fields(Settings):
        assert f"[{section.name}]" in text
        for key in dataclasses.fields(getattr(Settings(), section.name)):
            assert re.search(rf"^{key.name} = ", text, re.MULTILINE), f"{section.name}.{key.name}"


def test_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    subparsers = next(
        action
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    for name in subparsers.choices:
        assert f"`edge {name}" in readme, name
