"""Test settings: the real settings with a fixed key and a fast password hasher."""

import os

os.environ.setdefault("JINTIAO_SECRET_KEY", "test-only-secret")
# the test client speaks plain HTTP; the secure defaults are tested in their own process
os.environ.setdefault("JINTIAO_HTTPS", "0")

from jintiao.config.settings import *  # noqa: F403

# The replica's alias always, a mirror of the test database; reads go to it only where a
# test turns REPLICA_DATABASE on (tests/test_replica.py), or JINTIAO_REPLICA_URL is set.
DATABASES.setdefault("replica", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# tests reuse ids after each rollback: a cached answer would outlive its test's data
LIST_CHOICES_SECONDS = 0

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

# Generated documents and uploads go to a folder of the test run, not the work tree.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="jintiao-test-media-"))
# The test run's own certificate authority and signing keys, made once per run.
PKI_DIR = Path(tempfile.mkdtemp(prefix="jintiao-test-pki-"))
# Static files straight from the apps (no collectstatic in a test run), names unhashed.
STORAGES = {**STORAGES, "staticfiles": {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # type: ignore[assignment]
