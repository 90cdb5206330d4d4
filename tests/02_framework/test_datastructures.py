"""Chapter 02: headers, query parameters and URLs from the raw scope."""

from asgitest import http_scope


def test_headers_are_case_insensitive_and_keep_repeats(pkg):
    headers = pkg.Headers.from_raw(
        [(b"Accept", b"text/html"), (b"x-tag", b"a"), (b"X-Tag", b"b")]
    )
    assert headers["accept"] == headers["ACCEPT"] == "text/html"
    assert headers["x-tag"] == "a", "the first value answers headers[name]"
    assert headers.getlist("X-TAG") == ["a", "b"]
    assert "x-TAG" in headers
    assert "missing" not in headers
    assert headers.get("missing") is None
    assert sorted(headers) == ["accept", "x-tag"]


def test_header_bytes_outside_ascii_do_not_crash(pkg):
    headers = pkg.Headers.from_raw([(b"x-name", "Jürgen".encode())])
    assert headers["x-name"] == "Jürgen".encode().decode("latin-1")


def test_query_params_keep_repeats_blanks_and_decode(pkg):
    params = pkg.QueryParams.from_query_string(b"tag=a&tag=b&q=&name=J%C3%BCrgen+K")
    assert params.getlist("tag") == ["a", "b"]
    assert params["tag"] == "b", "the last value answers params[name]"
    assert params["q"] == ""
    assert params["name"] == "Jürgen K"
    assert params.multi_items()[:2] == [("tag", "a"), ("tag", "b")]
    assert len(params) == 3


def test_query_params_survive_garbage(pkg):
    params = pkg.QueryParams.from_query_string(b"a=%ZZ&b=%00&c=%ff&&=x&d")
    assert params["a"] == "%ZZ"
    assert params["b"] == "\x00"
    assert params["c"] == "\ufffd"
    assert params["d"] == ""


def test_url_from_scope_uses_the_host_header(pkg):
    scope = http_scope(
        path="/a/b", query_string=b"x=1", headers=[(b"host", b"example.org:8080")]
    )
    url = pkg.URL.from_scope(scope)
    assert str(url) == "http://example.org:8080/a/b?x=1"
    assert (url.hostname, url.port, url.path, url.query) == (
        "example.org",
        8080,
        "/a/b",
        "x=1",
    )


def test_url_without_host_header_falls_back_to_server(pkg):
    scope = http_scope(path="/", headers=[], server=("10.0.0.1", 8000))
    assert str(pkg.URL.from_scope(scope)) == "http://10.0.0.1:8000/"
    scope = http_scope(path="/", headers=[], server=("example.org", 80))
    assert str(pkg.URL.from_scope(scope)) == "http://example.org/"


def test_url_replace_makes_a_changed_copy(pkg):
    url = pkg.URL("http://example.org/items?page=2")
    moved = url.replace(path="/items/")
    assert str(moved) == "http://example.org/items/?page=2"
    assert str(url) == "http://example.org/items?page=2"
    assert moved == "http://example.org/items/?page=2"
