"""Chapter 02: query strings and headers, on many generated inputs."""

from urllib.parse import parse_qsl, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

text = st.text(max_size=12).filter(lambda s: "\x00" not in s)
pairs = st.lists(st.tuples(text.filter(bool), text), max_size=8)
token = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-", min_size=1, max_size=10
)


def test_query_strings_round_trip(pkg):
    @settings(max_examples=100, deadline=None)
    @given(pairs)
    def round_trip(items):
        params = pkg.QueryParams.from_query_string(urlencode(items).encode())
        assert params.multi_items() == items
        for key, _ in items:
            assert params.getlist(key) == [v for k, v in items if k == key]
            assert params[key] == params.getlist(key)[-1]

    round_trip()


def test_any_query_string_reads_as_parse_qsl_reads_it(pkg):
    """Raw query strings, not only well-formed ones: the fast path for text
    without `%` or `+` must find the same pairs as parse_qsl."""

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet="ab=&;%+2 é\t", max_size=16))
    def same_pairs(raw):
        params = pkg.QueryParams.from_query_string(raw.encode("latin-1", "replace"))
        expected = parse_qsl(raw.encode("latin-1", "replace").decode("latin-1"),
                             keep_blank_values=True)  # fmt: skip
        assert params.multi_items() == expected

    same_pairs()


def test_headers_keep_every_value_whatever_the_case(pkg):
    @settings(max_examples=100, deadline=None)
    @given(
        st.lists(st.tuples(token, st.text(alphabet="abc 123", max_size=8)), max_size=8)
    )
    def lookups(items):
        raw = [(k.encode(), v.encode()) for k, v in items]
        headers = pkg.Headers.from_raw(raw)
        for key, _ in items:
            expected = [v for k, v in items if k.lower() == key.lower()]
            assert headers.getlist(key.upper()) == expected
            assert headers[key] == expected[0]

    lookups()
