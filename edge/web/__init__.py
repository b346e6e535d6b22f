"""The box's HTTP side: `create_app(settings)` and the API it serves under /api/v1."""

from edge.web.app import create_app

__all__ = ["create_app"]
