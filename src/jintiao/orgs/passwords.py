"""Password validators as configured in ``AUTH_PASSWORD_VALIDATORS``: Django's own, one with
its refusal in Chinese."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils import translation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, saying its refusal in Chinese: Django 5.2 changed that message's wording and
    its zh-hans catalogue still holds the old one, so a short password was refused in
    English on Chinese pages."""

    def get_error_message(self) -> str:
        if (translation.get_language() or "").startswith("zh"):
            return f"密码太短，至少需要{self.min_length}个字符。"
        return str(super().get_error_message())
