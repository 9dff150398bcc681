"""``createsuperuser`` that never takes a password the validators refuse without saying so.

Django's own checks ``AUTH_PASSWORD_VALIDATORS`` when it asks at the terminal (and then
asks whether to bypass them), but takes ``DJANGO_SUPERUSER_PASSWORD`` with ``--noinput``
unchecked; here that password is checked too, and refused with the reasons in Chinese.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError

from jintiao.orgs.models import User
from jintiao.orgs.services import PasswordInvalid, password_check


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not options["interactive"] and password is not None:
            username = (options.get("username")
                        or os.environ.get("DJANGO_SUPERUSER_USERNAME") or "")
            try:
                password_check(password, User(username=username))
            except PasswordInvalid as exc:
                raise CommandError(f"密码不符合要求：{exc.message}") from None
        super().handle(*args, **options)
