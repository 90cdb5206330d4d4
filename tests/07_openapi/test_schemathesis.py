"""Chapter 07: schemathesis generates requests from the demo app's own
document and checks every answer against it: no 5xx, no undocumented status,
no body that contradicts its schema. In-process, through ASGI.

(schemathesis's own pytest plugin does not run on pytest 9 yet, so each
operation's Hypothesis strategy is driven directly.)
"""

import pytest
from hypothesis import HealthCheck, given, settings
from maintainer import need

schemathesis = need("schemathesis")

pytestmark = pytest.mark.slow


def endless(operation) -> bool:
    """A stream of server-sent events stays open (chapter 11's /notes/events):
    a client cannot read it to the end, so it is checked in tests/11_websockets."""
    answers = operation.definition.raw.get("responses", {}).values()
    return any("text/event-stream" in answer.get("content", {}) for answer in answers)


def test_the_demo_keeps_its_documented_promises(demo):
    schema = schemathesis.openapi.from_asgi("/openapi.json", demo.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [operation for operation in operations if not endless(operation)]
    assert operations, "the document lists no operation"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate()

        check()
