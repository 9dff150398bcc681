"""Test settings: the real settings with a fixed key and a fast password hasher."""

import os

os.environ.setdefault("JINTIAO_SECRET_KEY", "test-only-secret")

from jintiao.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
