"""``jintiao serve``: the production web server."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """The server joins here (issue 18, part 1)."""
