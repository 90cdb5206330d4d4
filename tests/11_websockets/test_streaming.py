"""Chapter 11: streamed HTTP responses (`more_body`) on our server.

A slow reader holds the stream back: `send()` waits in `drain()` while the
client does not read, so the server never buffers an unbounded stream. A
client that leaves ends the stream: an app that listens gets `http.disconnect`,
one that only sends gets `ClientDisconnected` from `send()`, and either way
its `finally` runs. The raw app (`apps/wsapp.py`) notes what it saw.
"""

import time

import httpx
import pytest
from wire import Wire, settled, wait_until
from wswire import events, reset, wait_for_event

pytestmark = pytest.mark.slow
MiB = 1024 * 1024


def sent_so_far(server, tag: str) -> int:
    """How many bytes the app's stream has handed to `send()` so far."""
    counts = [int(line.split()[1]) for line in events(server, tag) if "sent" in line]
    return max(counts, default=0)


def start_stream(server, query: str) -> Wire:
    wire = Wire(server.port)
    wire.send(f"GET /stream?{query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    return wire


def test_a_slow_reader_holds_the_stream_back(ours):
    url = f"{ours.url}/stream?tag=slow&chunks=1024&size=65536"  # 64 MiB
    with httpx.stream("GET", url) as response:  # the head only, for now
        assert wait_until(lambda: sent_so_far(ours, "slow") > 0)
        held = settled(lambda: sent_so_far(ours, "slow"))  # it stops, and stays
        assert held < 24 * MiB  # socket buffers, not the whole stream
        received = sum(len(chunk) for chunk in response.iter_bytes())
    assert received == 64 * MiB
    assert wait_for_event(ours, "slow", "finally")


def test_a_client_leaving_stops_a_stream_that_only_sends(ours):
    with start_stream(ours, "tag=leave&chunks=100000&size=1024&pause=0.01") as wire:
        assert wire.recv()  # the stream has begun
    left = time.monotonic()
    assert wait_for_event(ours, "leave", "send raised ClientDisconnected")
    assert wait_for_event(ours, "leave", "finally")
    assert time.monotonic() - left < 1
    assert httpx.get(ours.url + "/").status_code == 200


def test_a_client_leaving_while_the_stream_waits_for_it(ours):
    """The stream waits in drain() for a client that does not read; then the
    client goes (with a reset, as a socket closed with unread data does)."""
    wire = start_stream(ours, "tag=stuck&chunks=100000&size=65536")
    assert wait_until(lambda: sent_so_far(ours, "stuck") > 0)
    held = settled(lambda: sent_so_far(ours, "stuck"))
    assert held < 24 * MiB
    reset(wire.sock)
    assert wait_for_event(ours, "stuck", "send raised ClientDisconnected")
    assert wait_for_event(ours, "stuck", "finally")


def test_a_stream_that_listens_gets_http_disconnect(ours):
    url = f"{ours.url}/stream-listening?tag=listen"
    with httpx.stream("GET", url) as response:
        assert next(response.iter_lines()) == "tick"
    left = time.monotonic()
    assert wait_for_event(ours, "listen", "http.disconnect")
    assert wait_for_event(ours, "listen", "finally")
    assert time.monotonic() - left < 1
