"""Tests that a later chapter deliberately breaks, in one visible place.

Tests are cumulative: a test introduced in chapter k runs against chapters k
to the last. Rarely, a later chapter replaces an API on purpose. Each such
test is listed here with the chapter that replaces it and why; from that
chapter on it is expected to fail (strict xfail, so the entry must stay true).

    "tests/NN_slug/test_file.py::test_name": ("MM", "why chapter MM breaks it"),
"""

SUPERSEDED: dict[str, tuple[str, str]] = {
    "tests/02_framework/test_app.py::test_a_sync_handler_is_refused_at_registration": (
        "03",
        "from chapter 03 a plain `def` endpoint runs in a worker thread, as in "
        "Starlette (tests/03_middleware/test_concurrency.py)",
    ),
}
