"""The Classroom Edge box: settings, storage, school data, diary, accounts, HTTP API, CLI."""

__version__ = "0.1.0"
