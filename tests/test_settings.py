from __future__ import annotations

from pathlib import Path

import pytest

from edge.settings import Settings, SettingsError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "edge.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_embedded_defaults_when_the_default_file_is_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("edge.settings.DEFAULT_CONFIG_PATH", tmp_path / "absent.toml")
    settings = load_settings(None, environ={})
    assert settings == Settings()
    assert settings.http.port == 8080
    assert settings.box.data_dir == Path("/var/lib/classroom-edge")


def test_file_and_environment_override(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[box]\nname = "North School"\ndata_dir = "/srv/edge"\n[http]\nport = 9000\n'
    )
    settings = load_settings(
        path, environ={"EDGE_HTTP_PORT": "9100", "EDGE_AUTH_COOKIE_SECURE": "yes"}
    )
    assert settings.box.name == "North School"
    assert settings.box.data_dir == Path("/srv/edge")
    assert settings.http.port == 9100
    assert settings.auth.cookie_secure is True
    assert settings.database_path == Path("/srv/edge/edge.db")


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.http.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[http]\nprot = 80\n", "unknown key http.prot"),
        ("[htp]\nport = 80\n", "unknown section [htp]"),
        ('[http]\nport = "80"\n', "http.port: expected integer, got str"),
        ("[auth]\ncookie_secure = 1\n", "auth.cookie_secure: expected boolean, got int"),
        ('[school]\ntimezone = "Mars/Olympus"\n', "school.timezone: unknown time zone"),
        ("[http]\nport = 70000\n", "http.port: 70000 is not a TCP port"),
        ("[diary]\nmark_min = 5\nmark_max = 1\n", "diary.mark_min must be below"),
        ("[http\n", "not valid TOML"),
        ("http = 3\n", "[http] must be a table"),
    ],
)
def test_bad_files_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_settings(write(tmp_path, text), environ={})


def test_bad_environment_names_the_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(SettingsError, match="EDGE_HTTP_PORT: expected integer, got 'eighty'"):
        load_settings(path, environ={"EDGE_HTTP_PORT": "eighty"})
    with pytest.raises(SettingsError, match="EDGE_HTTP_PROT: unknown setting"):
        load_settings(path, environ={"EDGE_HTTP_PROT": "80"})


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no such configuration file"):
        load_settings(tmp_path / "absent.toml", environ={})
