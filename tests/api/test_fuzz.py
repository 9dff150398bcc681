"""The API fuzzed from its own OpenAPI schema: whatever arrives, never a 5xx, and every
answer in the shape the schema declares for its status."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from jintiao.config.wsgi import application
from tests.api.client import token_for
from tests.factories import intake

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Do what Django's test client does: calling the WSGI app directly would otherwise
    close the test's connection (inside its transaction) at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world, settings):
    """Every scope, and no rate limit: the fuzz makes thousands of requests a minute."""
    settings.API_RATE_PER_MINUTE = 0
    intake(actor=world.clerk, committee=world.committee, institution=world.branch)
    return token_for(world.director)


@schema.parametrize()
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow], deadline=None)
@pytest.mark.django_db
def test_no_request_makes_the_api_fail(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                           checks=[not_a_server_error, response_schema_conformance])
