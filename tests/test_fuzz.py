"""Schemathesis over the served OpenAPI schema: whatever a client sends, requests the schema allows and
requests it does not, the API answers without a 5xx and with a status and body its own schema describes.

Bounded to about a minute: a few examples per operation, against a small library that the fuzzer may
change. Both keys are set and the fuzzer holds the admin key, so uploads and deletes run their real code
paths, and Schemathesis also checks that a wrong key is refused.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from assistant.api.app import create_app

from .conftest import make_settings
from .live_server import corpus_in, serve, wait_ready

ADMIN = "admin-fuzz"
AUTH = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture(scope="module")
def served_schema(tmp_path_factory, model_dir):
    tmp = tmp_path_factory.mktemp("fuzz")
    # Wrong keys are the fuzzer's to send by the hundred: their slowing down is tested in test_api.
    settings = make_settings(tmp, corpus_in(tmp), api_key="reader-fuzz", admin_key=ADMIN, max_upload_mb=1, free_wrong_keys=10**6)
    app = create_app(settings)
    app.state.runtime.assistant.ingestor.ingest(progress=False)
    with serve(app) as url:
        wait_ready(url, headers=AUTH)
        yield schemathesis.openapi.from_url(f"{url}/openapi.json")


def test_no_5xx_and_every_response_matches_the_schema(served_schema):
    # Schemathesis' own pytest plugin does not run under pytest 9; its strategies under Hypothesis do.
    # Every check runs but one: a question the schema allows can still be refused (422 for "   " or a
    # question over 2000 characters), by the same rules as in the chat.
    operations = [result.ok() for result in served_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy() | operation.as_strategy(GenerationMode.NEGATIVE))
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def fuzz(case):
            case.call_and_validate(headers=AUTH, excluded_checks=[positive_data_acceptance], timeout=60)

        fuzz()
