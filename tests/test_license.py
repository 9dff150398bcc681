"""The licence the package declares is the one in the repository: the full Apache License 2.0
text, unaltered (its canonical digest), in LICENSE at the top."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# MD5 of https://www.apache.org/licenses/LICENSE-2.0.txt
APACHE_2_0 = "3b83ef96387f14655fc854ddc3c6bd57"


def test_the_declared_licence_is_the_licence_file():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert declared == {"text": "Apache-2.0"}
    text = (ROOT / "LICENSE").read_bytes()
    assert hashlib.md5(text).hexdigest() == APACHE_2_0  # noqa: S324 - a checksum, not security
    assert b"TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
