"""Test settings: the real settings with a fixed key and a fast password hasher."""

import os

os.environ.setdefault("JINTIAO_SECRET_KEY", "test-only-secret")

from jintiao.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

# Generated documents and uploads go to a folder of the test run, not the work tree.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="jintiao-test-media-"))
# The test run's own certificate authority and signing keys, made once per run.
PKI_DIR = Path(tempfile.mkdtemp(prefix="jintiao-test-pki-"))
