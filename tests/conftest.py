"""Test-wide settings."""

from hypothesis import HealthCheck, settings

# Property tests check rules, not speed: a loaded CI machine must not fail them on time.
settings.register_profile("jintiao", deadline=None, suppress_health_check=[HealthCheck.too_slow])
# `pytest --hypothesis-profile=thorough` digs deeper before a release or after a rule change.
settings.register_profile("thorough", parent=settings.get_profile("jintiao"), max_examples=3000)
settings.load_profile("jintiao")
