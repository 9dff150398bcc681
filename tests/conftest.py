"""Test-wide settings."""

from hypothesis import HealthCheck, settings

# Property tests check rules, not speed: a loaded CI machine must not fail them on time.
settings.register_profile("jintiao", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("jintiao")
