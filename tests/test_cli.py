from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from edge.cli import build_parser, main


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "edge.toml"
    path.write_text(f'[box]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    return path


def run(config: Path, *args: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--config", str(config), *args])


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = [
        [],
        ["init"],
        ["run"],
        ["demo"],
        ["import"],
        ["import", "oneroster"],
        ["import", "timetable"],
        ["users"],
        ["users", "add"],
        ["users", "passwd"],
        ["users", "list"],
    ]
    for words in commands:
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([*words, "--help"])
        assert exit_info.value.code == 0
        assert "usage: edge" in capsys.readouterr().out


def test_init_makes_database_keys_and_admin(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(
        config,
        "init",
        "--admin",
        "root",
        "--password-stdin",
        stdin="a-long-password\n",
        monkeypatch=monkeypatch,
    )
    assert code == 0
    data = config.parent / "data"
    assert (data / "edge.db").exists()
    private_key = data / "keys" / "box_ed25519.pem"
    assert stat.S_IMODE(private_key.stat().st_mode) == 0o600
    assert run(config, "users", "list", monkeypatch=monkeypatch) == 0
    assert "root" in capsys.readouterr().out
    key_before = private_key.read_bytes()
    assert run(config, "init", monkeypatch=monkeypatch) == 0, "init again keeps what exists"
    assert private_key.read_bytes() == key_before


def test_users_add_passwd_and_errors(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config, "init", monkeypatch=monkeypatch) == 0
    add = ("users", "add", "mia", "--role", "teacher", "--password-stdin")
    assert run(config, *add, stdin="long-enough-pw\n", monkeypatch=monkeypatch) == 0
    assert run(config, *add, stdin="long-enough-pw\n", monkeypatch=monkeypatch) == 2
    assert "username 'mia' is taken" in capsys.readouterr().err
    assert (
        run(
            config,
            "users",
            "add",
            "x",
            "--role",
            "admin",
            "--password-stdin",
            stdin="short\n",
            monkeypatch=monkeypatch,
        )
        == 2
    )
    assert "at least 8 characters" in capsys.readouterr().err
    assert (
        run(
            config,
            "users",
            "add",
            "y",
            "--role",
            "teacher",
            "--person",
            "nobody",
            "--password-stdin",
            stdin="long-enough-pw\n",
            monkeypatch=monkeypatch,
        )
        == 2
    )
    assert "no person 'nobody' in the roster" in capsys.readouterr().err
    assert (
        run(
            config,
            "users",
            "passwd",
            "mia",
            "--password-stdin",
            stdin="another-long-pw\n",
            monkeypatch=monkeypatch,
        )
        == 0
    )
    assert (
        run(
            config,
            "users",
            "passwd",
            "ghost",
            "--password-stdin",
            stdin="another-long-pw\n",
            monkeypatch=monkeypatch,
        )
        == 2
    )


def test_commands_before_init_say_what_to_do(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config, "users", "list", monkeypatch=monkeypatch) == 2
    assert "run `edge init` first" in capsys.readouterr().err


def test_bad_config_is_reported_by_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[http]\nport = 'x'\n", encoding="utf-8")
    assert run(bad, "users", "list", monkeypatch=monkeypatch) == 2
    assert "http.port: expected integer, got str" in capsys.readouterr().err


def test_failed_import_prints_file_and_line_and_changes_nothing(
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(config, "init", monkeypatch=monkeypatch) == 0
    bad = tmp_path / "bad.ics"
    bad.write_text("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n", encoding="utf-8")
    assert run(config, "import", "timetable", str(bad), monkeypatch=monkeypatch) == 1
    err = capsys.readouterr().err
    assert "nothing imported" in err and "bad.ics:" in err
