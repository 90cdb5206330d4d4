"""Chapter 04: path templates, convertors and reverse routing."""

import uuid

import pytest
from asgitest import http_scope


def test_a_template_compiles_to_a_regex_a_format_and_convertors(pkg):
    regex, template, convertors = pkg.router.compile_path("/items/{item_id:int}/{rest}")
    assert template == "/items/{item_id}/{rest}"
    assert regex.match("/items/42/x").groupdict() == {"item_id": "42", "rest": "x"}
    assert regex.match("/items/42/x/y") is None
    assert sorted(convertors) == ["item_id", "rest"]


def test_literal_parts_are_escaped(pkg):
    regex, _, _ = pkg.router.compile_path("/a.b/{x}")
    assert regex.match("/a.b/1")
    assert not regex.match("/aXb/1")


@pytest.mark.parametrize(
    "template", ["/{x:nope}", "/{x}/{x}"], ids=["unknown", "duplicated"]
)
def test_bad_templates_fail_at_registration(pkg, template):
    with pytest.raises(ValueError):
        pkg.router.compile_path(template)


CONVERSIONS = [
    ("/n/{v:int}", "/n/0042", 42),
    ("/n/{v:float}", "/n/2.5", 2.5),
    ("/n/{v:float}", "/n/3", 3.0),
    ("/n/{v:path}", "/n/a/b/../c.txt", "a/b/../c.txt"),
    ("/n/{v:path}", "/n/", ""),
    ("/n/{v}", "/n/two words", "two words"),
    ("/n/{v}", "/n/J\u00fcrgen", "J\u00fcrgen"),
    (
        "/n/{v:uuid}",
        "/n/12345678-1234-5678-1234-567812345678",
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
    ),
]


@pytest.mark.parametrize(("template", "path", "value"), CONVERSIONS)
def test_convertors_turn_text_into_python(pkg, template, path, value):
    route = pkg.Route(template, endpoint=lambda request: None)
    match, child = route.matches(http_scope(path=path))
    assert match is pkg.Match.FULL
    assert child["path_params"] == {"v": value}
    assert type(child["path_params"]["v"]) is type(value)


NON_MATCHES = [
    ("/n/{v:int}", "/n/-3"),
    ("/n/{v:int}", "/n/3.0"),
    ("/n/{v:int}", "/n/"),
    ("/n/{v:float}", "/n/-1.5"),
    ("/n/{v:float}", "/n/1e5"),
    ("/n/{v}", "/n/a/b"),
    ("/n/{v}", "/n/"),
    ("/n/{v:uuid}", "/n/not-a-uuid"),
]


@pytest.mark.parametrize(("template", "path"), NON_MATCHES)
def test_values_a_convertor_refuses_do_not_match(pkg, template, path):
    route = pkg.Route(template, endpoint=lambda request: None)
    assert route.matches(http_scope(path=path))[0] is pkg.Match.NONE


ROUND_TRIPS = [
    ("/n/{v:int}", 7),
    ("/n/{v:float}", 0.25),
    ("/n/{v:path}", "deep/er/file.txt"),
    ("/n/{v}", "plain"),
    ("/n/{v:uuid}", uuid.UUID("12345678-1234-5678-1234-567812345678")),
]


@pytest.mark.parametrize(("template", "value"), ROUND_TRIPS)
def test_url_path_for_round_trips(pkg, template, value):
    route = pkg.Route(template, endpoint=lambda request: None, name="target")
    path = route.url_path_for("target", v=value)
    match, child = route.matches(http_scope(path=path))
    assert match is pkg.Match.FULL
    assert child["path_params"]["v"] == value


def test_reverse_routing_needs_the_right_name_and_parameters(pkg):
    router = pkg.Router()

    async def show(request):
        return pkg.Response("")

    router.add_route("/users/{user_id:int}", show)
    assert router.url_path_for("show", user_id=3) == "/users/3"
    for name, params in [("other", {"user_id": 3}), ("show", {}), ("show", {"x": 1})]:
        with pytest.raises(pkg.NoMatchFound):
            router.url_path_for(name, **params)
    with pytest.raises(ValueError):
        router.url_path_for("show", user_id=-1)
