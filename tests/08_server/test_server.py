"""Chapter 08: our server (`python -m nanoapi`) speaking HTTP/1.1 for real.

Each test talks to a subprocess on 127.0.0.1 and a free port, over raw
sockets where the bytes matter and httpx where they do not. Most share one
server running `apps/raw.py`; tests that stop or configure a server get
their own.
"""

import signal
import socket
import time

import httpx
import pytest
import wire
from wire import APPS, run_cli, serve, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    with serve() as running:
        yield running


def get(path: bytes = b"/", *headers: bytes, method: bytes = b"GET") -> bytes:
    lines = [method + b" " + path + b" HTTP/1.1", b"Host: x", *headers]
    return b"\r\n".join([*lines, b"", b""])


def post(path: bytes, length: int, *headers: bytes) -> bytes:
    """A POST head announcing `length` bytes of body; the body is up to the test."""
    return get(path, b"Content-Length: %d" % length, *headers, method=b"POST")


def events(server) -> str:
    return httpx.get(server.url + "/events").text


def seen_once_more(server, event: str):
    """A condition: the app notes `event` once more than it had so far."""
    before = events(server).count(event)
    return lambda: events(server).count(event) > before


def accepting(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return False
    return True


# The basics


def test_get(server):
    response = httpx.get(server.url + "/")
    assert response.status_code == 200
    assert response.text == "Hello, ASGI!"
    assert response.headers["server"] == "nanoapi"
    assert "date" in response.headers


def test_404(server):
    assert httpx.get(server.url + "/nowhere").status_code == 404


def test_post_body_sent_in_pieces(server):
    first_piece_read = seen_once_more(server, "echo: piece b'hello '")
    with server.wire() as wire:
        wire.send(post(b"/echo", 12) + b"hello ")
        # the app reads the first piece before the rest exists
        assert wait_until(first_piece_read)
        wire.send(b"world!")
        assert wire.answer().body == b"hello world!"
    assert "echo: 2 message(s)" in events(server)  # more_body=True, then False


def test_post_with_a_chunked_request_body(server):
    chunks = b"5\r\nhello\r\n1\r\n \r\n5\r\nthere\r\n0\r\n\r\n"
    with server.wire() as wire:
        request = get(b"/echo", b"Transfer-Encoding: chunked", method=b"POST")
        assert wire.exchange(request + chunks).body == b"hello there"


# The scope


def test_the_scope(server):
    url = server.url + "/caf%C3%A9/scope?x=1&y=%20"
    scope = httpx.get(url, headers={"X-Tag": "A"}).json()
    assert scope["type"] == "http"
    assert scope["asgi"] == {"version": "3.0", "spec_version": "2.4"}
    assert (scope["http_version"], scope["method"]) == ("1.1", "GET")
    assert scope["scheme"] == "http"
    assert scope["path"] == "/café/scope"  # percent-decoded, as UTF-8
    assert scope["raw_path"] == "/caf%C3%A9/scope"  # as sent
    assert scope["query_string"] == "x=1&y=%20"  # never decoded
    assert scope["root_path"] == ""
    assert ["x-tag", "A"] in scope["headers"]  # names lower-cased, values as sent
    assert scope["client"][0] == "127.0.0.1"
    assert scope["server"] == ["127.0.0.1", server.port]


def test_each_request_gets_a_copy_of_the_lifespan_state(server):
    for _ in range(2):  # /scope changes its copy; the next request must not see it
        assert httpx.get(server.url + "/scope").json()["state"] == {"greeting": "hi"}


def test_context_variables_do_not_leak_between_requests(server):
    with server.wire() as wire:
        wire.send(get(b"/context/1") + get(b"/context/2"))  # one connection
        assert [wire.answer().body, wire.answer().body] == [b"unset", b"unset"]


def test_root_path_is_added_to_path():
    with serve("raw:app", "--root-path", "/api") as running:
        scope = httpx.get(running.url + "/items/scope").json()
    assert scope["root_path"] == "/api"
    assert scope["path"] == "/api/items/scope"  # the ASGI spec, and uvicorn
    assert scope["raw_path"] == "/api/items/scope"


# One connection, several requests; how bodies are framed


def test_keep_alive_serves_two_requests_on_one_socket(server):
    with server.wire() as wire:
        assert wire.exchange(get()).body == b"Hello, ASGI!"
        assert wire.exchange(post(b"/echo", 2) + b"hi").body == b"hi"


def test_pipelined_requests_are_answered_in_order(server):
    with server.wire() as wire:
        wire.send(get(b"/slow?seconds=0.3") + get())  # at once; the second is quicker
        assert wire.answer().body == b"slept"
        assert wire.answer().body == b"Hello, ASGI!"
        assert not wire.hung_up()


def test_nothing_after_a_connection_close_request_is_answered(server):
    with server.wire() as wire:
        wire.send(get(b"/", b"Connection: close") + get(b"/chunked"))
        assert wire.answer().headers[b"connection"] == b"close"
        assert wire.read_to_end() == b""


def test_chunked_response_when_the_app_gives_no_length(server):
    with server.wire() as wire:
        answer = wire.exchange(get(b"/chunked"))
        assert answer.framing == "chunked"
        assert answer.body == b"one two three"
        assert not wire.hung_up()


def test_http_10_body_ends_when_the_connection_closes(server):
    with server.wire() as wire:
        answer = wire.exchange(b"GET /chunked HTTP/1.0\r\n\r\n")
        assert (answer.framing, answer.body) == ("close", b"one two three")
        assert wire.hung_up()


@pytest.mark.parametrize(
    ("path", "framing"), [(b"/", "content-length"), (b"/chunked", "chunked")]
)
def test_head_sends_headers_only(server, path, framing):
    with server.wire() as wire:
        answer = wire.exchange(get(path, method=b"HEAD"), "HEAD")
        assert (answer.status, answer.framing, answer.body) == (200, framing, b"")
        assert not wire.hung_up()  # the probe parses, so no stray body bytes came


def test_100_continue_is_sent_when_the_app_reads_the_body(server):
    with server.wire() as wire:
        wire.send(post(b"/echo", 5, b"Expect: 100-continue"))
        assert wire.recv() == b"HTTP/1.1 100 Continue\r\n\r\n"  # before any body
        wire.send(b"hello")
        answer = wire.answer()
        assert (answer.status, answer.body) == (200, b"hello")
        assert not wire.hung_up()


def test_no_100_continue_when_the_app_ignores_the_body(server):
    with server.wire() as wire:
        answer = wire.exchange(post(b"/", 5, b"Expect: 100-continue"))
        assert (answer.interim, answer.status) == ([], 200)
        assert wire.hung_up()  # the client may never send the body it announced


def test_an_unread_body_is_skipped_to_reach_the_next_request(server):
    with server.wire() as wire:
        assert wire.exchange(post(b"/", 5) + b"hello").status == 200
        assert not wire.hung_up()


# Requests we refuse


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  # a TLS hello
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",  # HTTP/1.1 requires Host
    ],
)
def test_malformed_request_gets_400_and_close(server, request_bytes):
    with server.wire() as wire:
        answer = wire.exchange(request_bytes)
        assert answer.status == 400
        assert answer.headers[b"content-type"].startswith(b"text/plain")
        assert answer.body == b"Bad Request"
        assert wire.hung_up()
    assert "Invalid HTTP request received" in server.log()


def test_after_a_400_the_server_closes_in_stages(server):
    # RFC 9112 section 9.6: closing a socket that still has unread bytes makes
    # the kernel answer with a reset, which can destroy the 400 in flight. So
    # the server half-closes and drains for a moment before it lets go.
    with server.wire() as wire:
        assert wire.exchange(get(b"/", b"Content-Length: nope")).status == 400
        time.sleep(0.1)
        for _ in range(5):  # a client still sending its body gets no reset
            wire.send(b"x" * 10_000)
            time.sleep(0.02)
        assert wire.recv() == b""  # and it sees our end of the stream


@pytest.mark.parametrize("finished", [True, False])
def test_a_head_over_16_kib_gets_431_and_close(server, finished):
    head = get(b"/", b"X-Big: " + b"a" * 20_000)
    with server.wire() as wire:  # unfinished: h11 itself stops at 16 KiB
        answer = wire.exchange(head if finished else head[:-4])
        assert answer.status == 431
        assert wire.hung_up()


@pytest.mark.parametrize(("count", "status"), [(99, 200), (101, 431)])
def test_more_than_100_headers_get_431_and_close(server, count, status):
    headers = [b"X-%d: v" % n for n in range(count)]  # plus Host
    with server.wire() as wire:
        assert wire.exchange(get(b"/", *headers)).status == status
        assert wire.hung_up() == (status == 431)


# Apps that misbehave


def test_app_raising_before_the_response_gets_500(server):
    response = httpx.get(server.url + "/raise-before")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["connection"] == "close"
    log = server.log()
    assert "Exception in ASGI application" in log
    assert "Traceback" in log and "boom before the start" in log


def test_app_raising_after_the_start_closes_the_connection(server):
    with server.wire() as wire:
        wire.send(get(b"/raise-after"))
        received = wire.read_to_end()
    assert received.count(b"HTTP/1.1 ") == 1  # never a second response
    assert b"partial" in received
    assert not received.endswith(b"0\r\n\r\n")  # the chunked body never ended
    assert "boom after the start" in server.log()


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/no-response", "ASGI callable returned without starting response."),
        ("/body-before-start", "Expected ASGI message 'http.response.start'"),
    ],
)
def test_app_sending_no_response_start_gets_500(server, path, logged):
    assert httpx.get(server.url + path).status_code == 500
    assert logged in server.log()


# Clients that leave, or are slow


def test_client_leaving_mid_body_disturbs_no_one_else(server):
    with server.wire() as leaving:
        leaving.send(post(b"/echo", 1000) + b"only ten b")
        with server.wire() as other:
            assert other.exchange(get()).status == 200
    assert wait_until(lambda: "echo: disconnect" in events(server))


def test_receive_reports_a_client_that_leaves_while_the_app_waits(server):
    waiting = seen_once_more(server, "waiting for disconnect")
    with server.wire() as wire:
        wire.send(get(b"/wait-for-disconnect"))
        assert wait_until(waiting)  # in its second receive(), and it must go on
        assert "waited" not in events(server)
    assert wait_until(lambda: "waited: http.disconnect" in events(server))


def test_receive_after_the_response_says_disconnect_at_once(server):
    assert httpx.get(server.url + "/receive-after-response").text == "done"
    assert wait_until(lambda: "after response: http.disconnect" in events(server))


def test_slow_clients_do_not_block_others(server):
    sending = seen_once_more(server, "big: sending")
    with server.wire() as stalled, server.wire() as not_reading:
        stalled.send(b"GET / HTTP/1.1\r\nHo")  # and then nothing more
        not_reading.send(get(b"/big"))  # 8 MB it never reads
        assert wait_until(sending)
        started = time.monotonic()
        for _ in range(3):
            assert httpx.get(server.url + "/").status_code == 200
        assert time.monotonic() - started < 2


# Lifespan


def test_lifespan_startup_and_shutdown_run(tmp_path):
    log = tmp_path / "lifespan.log"
    with serve(env={"RAW_APP_LOG": str(log)}) as running:
        assert log.read_text() == "startup\n"
        assert httpx.get(running.url + "/").status_code == 200
        assert running.stop() == 0
        output = running.log()
    assert log.read_text() == "startup\nshutdown\n"
    assert "Application startup complete." in output
    assert "Application shutdown complete." in output
    assert "nanoapi server running on http://127.0.0.1:" in output


def test_an_app_without_lifespan_is_still_served():
    with serve("nolifespan:app") as running:
        assert httpx.get(running.url + "/").text == "ok"
        running.stop()
        output = running.log()
    assert "ASGI 'lifespan' protocol appears unsupported." in output
    assert "Traceback" not in output


def test_failed_startup_stops_the_server():
    result = run_cli("failing:app", "--app-dir", str(APPS))
    assert result.returncode == 3
    assert "no database" in result.stderr
    assert "Application startup failed. Exiting." in result.stderr
    assert "running on" not in result.stderr


# Stopping


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_server(sig):
    with serve() as running:
        started = time.monotonic()
        assert running.stop(sig) == 0
        assert time.monotonic() - started < 3
        assert "Shutting down" in running.log()


def test_graceful_shutdown_lets_a_request_in_flight_finish():
    with serve() as running, running.wire() as idle, running.wire() as busy:
        assert idle.exchange(get()).status == 200  # now an idle keep-alive connection
        busy.send(get(b"/slow?seconds=1"))
        assert wait_until(lambda: "slow: asleep" in events(running))
        running.process.send_signal(signal.SIGTERM)
        assert idle.recv() == b""  # idle connections are closed at once
        assert wait_until(lambda: not accepting(running.port))  # nor new ones
        answer = busy.answer()
        assert (answer.status, answer.body) == (200, b"slept")
        assert answer.headers[b"connection"] == b"close"
        assert running.process.wait(5) == 0
        log = running.log()
    order = ["Shutting down", "GET /slow", "Application shutdown complete."]
    assert sorted(order, key=log.index) == order


def test_graceful_shutdown_gives_up_after_the_timeout():
    options = ("--timeout-graceful-shutdown", "0.5")
    with serve("raw:app", *options) as running, running.wire() as busy:
        busy.send(get(b"/slow?seconds=30"))
        assert wait_until(lambda: "slow: asleep" in events(running))
        started = time.monotonic()
        assert running.stop() == 0
        assert time.monotonic() - started < 3
        assert busy.read_to_end() == b""  # cut off, no answer
        assert "Graceful shutdown timed out: 1 cancelled" in running.log()


def test_a_second_signal_stops_waiting_for_requests():
    with serve() as running, running.wire() as busy:
        busy.send(get(b"/slow?seconds=30"))
        assert wait_until(lambda: "slow: asleep" in events(running))
        started = time.monotonic()
        running.process.send_signal(signal.SIGINT)  # would wait up to 10 s
        assert wait_until(lambda: "Shutting down" in running.log())
        assert running.stop(signal.SIGINT) == 0  # Ctrl+C again: stop now
        assert time.monotonic() - started < 3
        assert busy.read_to_end() == b""


# The command line, and a real framework app


def test_help_lists_the_options():
    shown = run_cli("--help").stdout
    for option in ("--app-dir", "--host", "--port", "--root-path", "--log-level"):
        assert option in shown
    assert "--timeout-graceful-shutdown" in shown


def test_log_level_warning_hides_the_access_log():
    with serve("raw:app", "--log-level", "warning") as running:
        assert httpx.get(running.url + "/raise-before").status_code == 500
        running.stop()
        log = running.log()
    assert "GET /raise-before" not in log and "running on" not in log
    assert "boom before the start" in log  # errors still show


def test_an_app_that_cannot_be_imported_exits_with_1():
    result = run_cli("nowhere:app")
    assert result.returncode == 1
    assert "Could not import module 'nowhere'" in result.stderr


def test_serves_the_chapter_06_demo_app():
    with serve("app:app", app_dir=wire.ROOT) as running:
        with httpx.Client(base_url=running.url) as client:
            assert client.get("/").text == "Hello, ASGI!"
            echoed = client.post("/echo", content=b"through our server")
            assert echoed.content == b"through our server"
            first_page = [{"id": 1, "text": "buy milk"}]
            assert client.get("/notes", params={"size": 1}).json() == first_page
            assert client.get("/notes/2").json()["text"] == "call Sam"
            assert client.get("/notes/99").status_code == 404
            token = {"X-Token": "secret-token"}
            assert client.get("/whoami", headers=token).json() == {"user": "ada"}
            assert client.get("/whoami").status_code == 422
        running.stop()
        assert "Traceback" not in running.log()
