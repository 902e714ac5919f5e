"""The service keeps to its OpenAPI document: schemathesis generates requests from it (valid
and not), and every response must be documented, conform to its schema, and never be a 5xx."""

from __future__ import annotations

import json

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="the test extra is not installed")
from hypothesis import HealthCheck, settings  # noqa: E402

from ner_cli.openapi import openapi_document  # noqa: E402
from ner_cli.service import Limits, create_app  # noqa: E402


@schemathesis.serializer("application/x-ndjson")
def _to_ndjson(ctx, value) -> bytes:
    """An array of requests as NDJSON (one per line); anything else as one JSON line."""
    items = value if isinstance(value, list) else [value]
    return "".join(json.dumps(item) + "\n" for item in items).encode("utf-8", "surrogatepass")


@schemathesis.deserializer("application/x-ndjson")
def _from_ndjson(ctx, response) -> list:
    return [json.loads(line) for line in response.content.splitlines()]


@pytest.fixture(scope="module")
def app(workers):
    # a small body limit: generated bodies reach it, and 413 stays documented
    return create_app(workers, Limits(max_body=20_000))


# The document the app serves at /openapi.json (tests/test_serve.py checks it is this one),
# read here without starting the app, so collecting the tests loads no model.
schema = schemathesis.openapi.from_dict(openapi_document(["LOC", "MISC", "ORG", "PER"]))


@schema.parametrize()
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_the_service_keeps_to_its_openapi_document(case, app):
    case.call_and_validate(app=app)
