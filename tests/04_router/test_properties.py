"""Chapter 04: properties of the pure parts, tried on many generated values.

Reverse routing and matching are inverses: for any value a convertor accepts,
`url_path_for` builds a path that the same route matches, giving the value
back.
"""

import string

import pytest
from asgitest import http_scope
from hypothesis import given, settings
from hypothesis import strategies as st

segment = st.text(
    alphabet=string.ascii_letters + string.digits + "-_.~ é%", min_size=1, max_size=20
).filter(lambda s: s not in (".", ".."))
VALUES = {
    "int": st.integers(min_value=0, max_value=10**30),
    "float": st.floats(min_value=0, max_value=1e9, allow_nan=False).map(
        lambda x: round(x, 6)
    ),
    "str": segment,
    "path": st.lists(segment, min_size=1, max_size=4).map("/".join),
    "uuid": st.uuids(),
}


@pytest.mark.parametrize("kind", sorted(VALUES))
def test_url_path_for_and_matching_round_trip(pkg, kind):
    route = pkg.Route(f"/a/{{v:{kind}}}/b", lambda request: None, name="r")

    @settings(max_examples=60, deadline=None)
    @given(VALUES[kind])
    def round_trip(value):
        path = route.url_path_for("r", v=value)
        match, child = route.matches(http_scope(path=path))
        assert match is pkg.Match.FULL, path
        assert child["path_params"]["v"] == value

    round_trip()


def test_any_path_is_matched_or_refused_without_error(pkg):
    route = pkg.Route("/x/{n:int}/{rest:path}", lambda r: None)

    @settings(max_examples=100, deadline=None)
    @given(st.text(max_size=40))
    def never_raises(text):
        match, _ = route.matches(http_scope(path="/" + text))
        assert match in (pkg.Match.NONE, pkg.Match.FULL)

    never_raises()
