"""The instructor's guide's common mistakes, each planted where a learner makes it.

`says` is the guide's own words (README.md, "Common mistakes, exercise by
exercise"); `test_every_mistake_in_the_guide_is_planted` holds the two lists
together. A mistake the guide joins with "or" may be planted once per way.

`nb(...)` plants into the exercise's solution in `solutions/NN_slug.py`, and
the exercise's check must say `[NOT YET]`. `pkg(...)` plants into a copy of
the chapter's package (or demo), and the named test of `tests/NN_slug` must
fail against it in learner mode. Each edit is `(old, new)`: exact text that
occurs once.
"""

from __future__ import annotations

from planted.planting import NOTEBOOK, Mistake


def nb(chapter: str, exercise: int, name: str, says: str, *edits) -> Mistake:
    return Mistake(chapter, exercise, name, says, NOTEBOOK, tuple(edits), "")


def pkg(chapter, exercise, name, says, file, caught_by, *edits) -> Mistake:
    return Mistake(chapter, exercise, name, says, file, tuple(edits), caught_by)


# --- 01 raw ASGI -----------------------------------------------------------------

CHARACTERS = (
    "`content-length` counted in characters (`len(text)`) instead of bytes: "
    "the check's `/café` catches it"
)
HEADER_TYPES = "header values as `str` or `int` instead of bytes"
FIRST_ONLY = "Reading only the first `http.request`"
SLASH_OR_QUERY = (
    "Stripping the trailing slash or keeping the query string: `/about/` must "
    "be a 404 and `/about?lang=fr` the page"
)
LIFESPAN = (
    "Answering `lifespan.startup` and then returning, or never returning after "
    "`lifespan.shutdown.complete`"
)
HELLO_HEADERS = """\
        (b"content-length", str(len(body)).encode("latin-1")),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})"""

CHAPTER_01 = [
    nb(
        "01",
        1,
        "length-in-characters",
        CHARACTERS,
        (
            HELLO_HEADERS,
            HELLO_HEADERS.replace("len(body)", 'len(body.decode("utf-8"))'),
        ),
    ),
    nb(
        "01",
        1,
        "length-as-int",
        HEADER_TYPES,
        (
            HELLO_HEADERS,
            HELLO_HEADERS.replace('str(len(body)).encode("latin-1")', "len(body)"),
        ),
    ),
    nb(
        "01",
        1,
        "type-as-str",
        HEADER_TYPES,
        (
            '        (b"content-type", b"text/plain; charset=utf-8"),\n'
            '        (b"content-length", str(len(body)).encode("latin-1")),\n'
            '    ]\n    await send({"type": "http.response.start", "status": 200',
            '        (b"content-type", "text/plain; charset=utf-8"),\n'
            '        (b"content-length", str(len(body)).encode("latin-1")),\n'
            '    ]\n    await send({"type": "http.response.start", "status": 200',
        ),
    ),
    nb(
        "01",
        2,
        "first-message-only",
        FIRST_ONLY,
        (
            '        if not message.get("more_body", False):\n            break\n'
            '    return b"".join(pieces)',
            '        break\n    return b"".join(pieces)',
        ),
    ),
    nb(
        "01",
        2,
        "receive-after-the-last-piece",
        "calling `receive()` again after the last piece (the check counts the calls)",
        (
            '        if not message.get("more_body", False):\n            break\n'
            '    return b"".join(pieces)',
            '        if not message.get("body", b""):\n            break\n'
            '    return b"".join(pieces)',
        ),
    ),
    nb(
        "01",
        2,
        "body-key",
        '`message["body"]` instead of `.get("body", b"")`',
        (
            '        pieces.append(message.get("body", b""))',
            '        pieces.append(message["body"])',
        ),
    ),
    nb(
        "01",
        2,
        "disconnect-ignored",
        "not stopping on `http.disconnect`",
        (
            '        if message["type"] == "http.disconnect":\n            break\n'
            "        pieces.append(",
            '        if message["type"] != "http.request":\n            continue\n'
            "        pieces.append(",
        ),
    ),
    nb(
        "01",
        3,
        "slash-stripped",
        SLASH_OR_QUERY,
        (
            '    page = PAGES.get(scope["path"])',
            '    page = PAGES.get(scope["path"].rstrip("/") or "/")',
        ),
    ),
    nb(
        "01",
        3,
        "query-kept",
        SLASH_OR_QUERY,
        (
            '    page = PAGES.get(scope["path"])',
            '    query = scope["query_string"].decode()\n'
            '    page = PAGES.get(scope["path"] + ("?" + query if query else ""))',
        ),
    ),
    nb(
        "01",
        4,
        "return-after-startup",
        LIFESPAN,
        (
            '            await send({"type": "lifespan.startup.complete"})\n',
            '            await send({"type": "lifespan.startup.complete"})\n'
            "            return\n",
        ),
    ),
    nb(
        "01",
        4,
        "no-return-after-shutdown",
        LIFESPAN,
        (
            '            await send({"type": "lifespan.shutdown.complete"})\n'
            "            return\n",
            '            await send({"type": "lifespan.shutdown.complete"})\n',
        ),
    ),
]

# --- 02 framework ------------------------------------------------------------------

JSON_OPTIONS = (
    "`json.dumps` with its default separators (spaces) or `ensure_ascii=True` "
    "(`Zo\\u00eb`)"
)

CHAPTER_02 = [
    nb(
        "02",
        1,
        "length-in-characters",
        "Characters again (`ü`, `ß`)",
        (
            '(b"content-length", str(len(body)).encode("latin-1")),',
            '(b"content-length", str(len(self.text)).encode("latin-1")),',
        ),
    ),
    nb(
        "02",
        2,
        "body-read-again",
        "A `body()` that reads again on the second call and meets `http.disconnect`",
        (
            '            self._body = b"".join(chunks)\n        return self._body',
            '            return b"".join(chunks)\n        return self._body',
        ),
    ),
    nb(
        "02",
        2,
        "cache-if-not-body",
        "caching with `if not self._body`, which rereads an empty body",
        (
            "        if self._body is None:\n            chunks = []",
            "        if not self._body:\n            chunks = []",
        ),
    ),
    nb(
        "02",
        3,
        "json-spaces",
        JSON_OPTIONS,
        (
            'content, separators=(",", ":"), ensure_ascii=False',
            "content, ensure_ascii=False",
        ),
    ),
    nb(
        "02",
        3,
        "json-ascii",
        JSON_OPTIONS,
        ("ensure_ascii=False, allow_nan=False", "ensure_ascii=True, allow_nan=False"),
    ),
    nb(
        "02",
        3,
        "string-measured",
        "measuring the string before encoding it",
        ("str(len(self.body)).encode(", "str(len(text)).encode("),
    ),
    nb(
        "02",
        4,
        "no-head",
        "Forgetting HEAD when GET is given",
        ('        if "GET" in methods:\n            methods.add("HEAD")\n', ""),
    ),
    nb(
        "02",
        4,
        "lower-case-methods",
        "methods not upper-cased",
        (
            "        methods = {method.upper() for method in methods}",
            "        methods = set(methods)",
        ),
    ),
    nb(
        "02",
        4,
        "method-before-path",
        "testing the method before the path, so an unknown path answers 405",
        (
            '        methods = self.handlers.get(request.scope["path"])\n',
            "        known = {m for table in self.handlers.values() for m in table}\n"
            "        if request.method not in known:\n"
            "            return JSONResponse(\n"
            '                {"detail": "Method Not Allowed"},\n'
            "                status_code=405,\n"
            '                headers={"allow": ", ".join(sorted(known))},\n'
            "            )\n"
            '        methods = self.handlers.get(request.scope["path"])\n',
        ),
    ),
    nb(
        "02",
        4,
        "allow-unsorted",
        "an `allow` header that is not `GET, HEAD, POST`",
        (
            "        methods = {method.upper() for method in methods}",
            "        methods = [method.upper() for method in methods]",
        ),
        ('            methods.add("HEAD")', '            methods.append("HEAD")'),
        (
            '            allow = ", ".join(sorted(methods))',
            '            allow = ", ".join(methods)',
        ),
    ),
]

# --- 03 middleware -----------------------------------------------------------------

CHAPTER_03 = [
    nb(
        "03",
        1,
        "builds-a-response",
        "Building a Response in a pure ASGI middleware",
        (
            "        await self.app(scope, receive, send_with_header)",
            "        header = {self.name.decode(): self.value.decode()}\n"
            '        await PlainTextResponse("hello", headers=header)(scope, receive, send)',
        ),
    ),
    nb(
        "03",
        1,
        "headers-replaced",
        "replacing the headers instead of appending (the check notices the missing "
        "`content-type`)",
        (
            'message["headers"] = [*headers, (self.name, self.value)]',
            'message["headers"] = [(self.name, self.value)]',
        ),
    ),
    nb(
        "03",
        1,
        "every-message",
        "adding the header to every message, not only to `http.response.start`",
        (
            '            if message["type"] == "http.response.start":\n'
            '                headers = message.get("headers", [])\n'
            '                message["headers"] = [*headers, (self.name, self.value)]',
            '            headers = message.get("headers", [])\n'
            '            message["headers"] = [*headers, (self.name, self.value)]',
        ),
    ),
    nb(
        "03",
        2,
        "clock-after-call-next",
        "reading the clock only after `call_next`",
        (
            "        started = time.perf_counter()\n"
            "        response = await call_next(request)\n",
            "        response = await call_next(request)\n"
            "        started = time.perf_counter()\n",
        ),
    ),
    nb(
        "03",
        2,
        "returns-a-call",
        "returning `middleware()` instead of `middleware`",
        ("    return middleware\n", "    return middleware()\n"),
    ),
    nb(
        "03",
        3,
        "handler-on-httpexception",
        "Registering the 404 handler on `HTTPException` (then the 410 changes too) "
        "instead of on `404`",
        (
            "app.add_exception_handler(404, on_not_found)",
            "app.add_exception_handler(HTTPException, on_not_found)",
        ),
    ),
    nb(
        "03",
        4,
        "stub-left",
        "Leaving one of the exercise's three stubs (startup, shutdown, handler)",
        (
            "    await db.close()\n",
            '    raise NotImplementedError("Exercise 4: your code here")\n',
        ),
    ),
    nb(
        "03",
        4,
        "state-subscript",
        '`request.state["db"]` instead of `request.state.db`',
        ("request.state.db.users", 'request.state["db"].users'),
    ),
]

# --- 04 router ---------------------------------------------------------------------

FIRST_PARTIAL = (
    "Answering 405 at the first PARTIAL instead of looking for a FULL further down"
)
LAST_PARTIAL = "the last PARTIAL's methods instead of the first's"
RELATIVE = "dropping the query string or returning a relative URL"

CHAPTER_04_NOTEBOOK = [
    nb(
        "04",
        1,
        "no-anchors",
        "No `^...$` anchors (`/items/42/a/b` matches)",
        ('regex, convertors, end = "^", {}, 0', 'regex, convertors, end = "", {}, 0'),
        ('regex += re.escape(path[end:]) + "$"', "regex += re.escape(path[end:])"),
    ),
    nb(
        "04",
        1,
        "not-escaped",
        "literal parts not escaped (the `.` in `/v1.0`)",
        ("re.escape(path[end : found.start()])", "path[end : found.start()]"),
        ('regex += re.escape(path[end:]) + "$"', 'regex += path[end:] + "$"'),
    ),
    nb(
        "04",
        1,
        "unknown-kind-as-str",
        "an unknown kind silently treated as `str`",
        (
            '            raise ValueError(f"unknown convertor {kind!r} in {path}")',
            '            kind = "str"',
        ),
    ),
    nb(
        "04",
        2,
        "params-as-text",
        'Parameters left as text (`"42"`)',
        (
            "params = {k: route.convertors[k].convert(v) for k, v in found.groupdict().items()}",
            "params = found.groupdict()",
        ),
    ),
    nb(
        "04",
        2,
        "none-with-params",
        "params returned with `NONE`",
        (
            "(Match.FULL if method in route.methods else Match.PARTIAL), params",
            "(Match.FULL if method in route.methods else Match.NONE), params",
        ),
    ),
    nb(
        "04",
        3,
        "405-at-first-partial",
        FIRST_PARTIAL,
        (
            "            if match is Match.PARTIAL and partial is None:\n"
            "                partial = route\n",
            "            if match is Match.PARTIAL:\n"
            "                partial = route\n"
            "                break\n",
        ),
    ),
    nb(
        "04",
        3,
        "last-partial",
        LAST_PARTIAL,
        (
            "if match is Match.PARTIAL and partial is None:",
            "if match is Match.PARTIAL:",
        ),
    ),
    nb(
        "04",
        4,
        "root-redirected",
        "Redirecting `/`",
        ('    if path == "/":\n        return None\n', ""),
        ('flipped = path.rstrip("/") if', 'flipped = (path.rstrip("/") or "/") if'),
    ),
    nb(
        "04",
        4,
        "full-only",
        "redirecting only on FULL (the `POST /items` case is PARTIAL)",
        (
            "route.matches(other)[0] is not Match.NONE",
            "route.matches(other)[0] is Match.FULL",
        ),
    ),
    nb(
        "04",
        4,
        "query-dropped",
        RELATIVE,
        (
            'other = {**scope, "path": flipped}',
            'other = {**scope, "path": flipped, "query_string": b""}',
        ),
    ),
    nb(
        "04",
        4,
        "relative-url",
        RELATIVE,
        ("        return str(URL.from_scope(other))", "        return flipped"),
    ),
]

# --- 05 validation -----------------------------------------------------------------

CHAPTER_05_NOTEBOOK = [
    nb(
        "05",
        1,
        "path-before-markers",
        "Testing the path names before the markers",
        (
            "    if get_origin(annotation) is Annotated:\n"
            "        annotation, *extras = get_args(annotation)",
            '    if name in path_names:\n        return "path"\n'
            "    if get_origin(annotation) is Annotated:\n"
            "        annotation, *extras = get_args(annotation)",
        ),
    ),
    nb(
        "05",
        1,
        "bare-list-as-query",
        "a bare `list[str]` taken for a query parameter",
        ("        target = get_origin(member) or member", "        target = member"),
    ),
    nb(
        "05",
        1,
        "optional-model-missed",
        "missing the model inside `X | None`",
        (
            "    for member in get_args(annotation) if is_union else (annotation,):",
            "    for member in (annotation,):",
        ),
    ),
    nb(
        "05",
        1,
        "issubclass-on-generic",
        "`issubclass(list[str], ...)` raising `TypeError` (use `get_origin`)",
        ("        target = get_origin(member) or member", "        target = member"),
        (
            "        if isinstance(target, type) and issubclass(target, BODY_CLASSES):",
            "        if issubclass(target, BODY_CLASSES):",
        ),
    ),
    nb(
        "05",
        1,
        "field-as-marker",
        "`Field(ge=1)` taken for a marker",
        (
            "markers = [extra for extra in extras if isinstance(extra, Param)]",
            "markers = [extra for extra in extras if isinstance(extra, pydantic.fields.FieldInfo)]",
        ),
        (
            "            return markers[-1].source",
            '            return getattr(markers[-1], "source", "query")',
        ),
    ),
    nb(
        "05",
        2,
        "model-per-request",
        "Building the model inside `validate`, per request",
        ('    model_class = create_model("QueryValues", **fields)\n', ""),
        (
            "            model = model_class.model_validate(raw)",
            '            model = create_model("QueryValues", **fields).model_validate(raw)',
        ),
    ),
    nb(
        "05",
        2,
        "missing-keeps-input",
        "leaving Pydantic's whole input dict on a `missing` error instead of `None`",
        (
            '                if error["type"] == "missing" and not rest:\n'
            '                    error = {**error, "input": None}\n',
            "",
        ),
    ),
    nb(
        "05",
        2,
        "no-query-in-loc",
        'forgetting the `"query"` in `loc`',
        ('"loc": ("query", name, *rest)', '"loc": (name, *rest)'),
    ),
    nb(
        "05",
        3,
        "str-before-enum",
        "Testing `str` before `Enum` (a `str` enum stays an enum)",
        ("    if isinstance(obj, enum.Enum):\n        return obj.value\n", ""),
        (
            "    if isinstance(obj, datetime.date | datetime.time):",
            "    if isinstance(obj, enum.Enum):\n        return obj.value\n"
            "    if isinstance(obj, datetime.date | datetime.time):",
        ),
    ),
    nb(
        "05",
        3,
        "decimal-as-float",
        "every `Decimal` as a `float`",
        (
            "return int(obj) if obj.as_tuple().exponent >= 0 else float(obj)",
            "return float(obj)",
        ),
    ),
    nb(
        "05",
        3,
        "keys-not-encoded",
        "dict keys not encoded",
        ("{encode(key): encode(value) for", "{key: encode(value) for"),
    ),
    nb(
        "05",
        4,
        "adapter-per-call",
        "A `TypeAdapter` built per call",
        ("    adapter = TypeAdapter(response_model)\n", ""),
        (
            "    def serialize(result: Any) -> bytes:\n",
            "    def serialize(result: Any) -> bytes:\n"
            "        adapter = TypeAdapter(response_model)\n",
        ),
    ),
    nb(
        "05",
        4,
        "no-from-attributes",
        "no `from_attributes=True`",
        (
            "adapter.validate_python(result, from_attributes=True)",
            "adapter.validate_python(result)",
        ),
    ),
    nb(
        "05",
        4,
        "dict-not-bytes",
        "returning a dict instead of JSON bytes",
        (
            "        return adapter.dump_json(value)",
            '        return adapter.dump_python(value, mode="json")',
        ),
    ),
    nb(
        "05",
        4,
        "422-for-the-server",
        "expecting a 422 where the server's own mistake is a 500",
        (
            "            raise ResponseValidationError(located) from exc",
            "            from nanoapi import RequestValidationError\n\n"
            "            raise RequestValidationError(located) from exc",
        ),
    ),
]

# --- 06 dependencies ---------------------------------------------------------------

KEPT_CACHE = (
    "A cache kept between calls (a module-level dict or `functools.cache`): once "
    "per process instead of once per request"
)
DIRECT_CALL = (
    "Calling `record(...)` directly, or `tasks.add_task(record(...))`, which runs "
    "it before the handler"
)
AUDIT_TASK = 'tasks.add_task(record, f"audit {request.method} {request.url.path}")'

CHAPTER_06_NOTEBOOK = [
    nb(
        "06",
        1,
        "module-level-cache",
        KEPT_CACHE,
        (
            "    arguments = {}\n    for name, param in",
            '    cache = globals().setdefault("KEPT", cache)\n'
            "    arguments = {}\n    for name, param in",
        ),
    ),
    nb(
        "06",
        1,
        "use-cache-ignored",
        "ignoring `use_cache=False`",
        ("if depends.use_cache and dep in cache:", "if dep in cache:"),
    ),
    nb(
        "06",
        2,
        "commit-in-finally",
        "`commit()` in `finally` (it commits after an error too)",
        (
            "        yield session\n        session.commit()\n",
            "        yield session\n",
        ),
        (
            "        raise\n    finally:\n        session.close()",
            "        raise\n    finally:\n        session.commit()\n        session.close()",
        ),
    ),
    nb(
        "06",
        2,
        "rollback-swallowed",
        "rolling back without `raise` (the client then gets a 500)",
        ("        session.rollback()\n        raise\n", "        session.rollback()\n"),
    ),
    nb(
        "06",
        3,
        "override-a-wrapper",
        "Overriding a copy or a wrapper of `get_rates` instead of the function itself",
        (
            "prices.dependency_overrides[get_rates] = lambda: FAKE_RATES",
            "prices.dependency_overrides[lambda key: get_rates(key)] = lambda: FAKE_RATES",
        ),
    ),
    nb(
        "06",
        3,
        "fake-with-parameters",
        "a fake that takes parameters (it then reads a header and answers 422)",
        (
            "prices.dependency_overrides[get_rates] = lambda: FAKE_RATES",
            "prices.dependency_overrides[get_rates] = lambda key: FAKE_RATES",
        ),
    ),
    nb(
        "06",
        3,
        "no-finally",
        "no `finally` to clear the dict",
        (
            "    finally:\n        prices.dependency_overrides.clear()",
            "    finally:\n        pass\n    prices.dependency_overrides.clear()",
        ),
    ),
    nb(
        "06",
        4,
        "record-called",
        DIRECT_CALL,
        (AUDIT_TASK, 'record(f"audit {request.method} {request.url.path}")'),
    ),
    nb(
        "06",
        4,
        "record-called-into-add-task",
        DIRECT_CALL,
        (
            AUDIT_TASK,
            'tasks.add_task(record(f"audit {request.method} {request.url.path}"))',
        ),
    ),
]

# --- 07 OpenAPI --------------------------------------------------------------------

METHOD_SUFFIX = "forgetting the `_` before the method or its lower case"
DEFS = "Leaving each schema's `$defs` inside it, or `$ref`s to `#/$defs/...`"
OPERATION_ID = 'return re.sub(r"\\W", "_", name + path) + "_" + method.lower()'
COMPONENTS = """\
    generator = GenerateJsonSchema(ref_template=REF + "{model}")
    inputs = [(model, "validation", TypeAdapter(model).core_schema) for model in models]
    _, definitions = generator.generate_definitions(inputs)
    return without_nulls(definitions)"""

CHAPTER_07_NOTEBOOK = [
    nb(
        "07",
        1,
        "only-slashes-and-braces",
        "Replacing only `/` and braces, not `-` and `.`",
        (OPERATION_ID, OPERATION_ID.replace(r"\W", "[/{}]")),
    ),
    nb(
        "07",
        1,
        "no-underscore",
        METHOD_SUFFIX,
        (OPERATION_ID, OPERATION_ID.replace('+ "_" + method', "+ method")),
    ),
    nb(
        "07",
        1,
        "method-upper",
        METHOD_SUFFIX,
        (OPERATION_ID, OPERATION_ID.replace("method.lower()", "method")),
    ),
    nb(
        "07",
        2,
        "own-params-only",
        "Only the route's own `params`, not its dependencies' (the `x-token` header "
        "is two levels down)",
        ("sorted(walk(route.dependant),", "sorted(route.dependant.params,"),
    ),
    nb(
        "07",
        2,
        "sorted-by-name",
        "sorting by name instead of by source, which must keep the tree's order",
        (
            "(walk(route.dependant), key=lambda f: SOURCES.index(f.source))",
            "(walk(route.dependant), key=lambda f: f.alias)",
        ),
    ),
    nb(
        "07",
        2,
        "title-underscore",
        "a title such as `Note_Id`",
        ('f.alias.title().replace("_", " ")', "f.alias.title()"),
    ),
    nb(
        "07",
        3,
        "defs-inside",
        DEFS,
        (
            COMPONENTS,
            "    return {\n"
            '        model.__name__: without_nulls(model.model_json_schema(ref_template=REF + "{model}"))\n'
            "        for model in models\n"
            "    }",
        ),
    ),
    nb(
        "07",
        3,
        "refs-to-defs",
        DEFS,
        (
            'generator = GenerateJsonSchema(ref_template=REF + "{model}")',
            "generator = GenerateJsonSchema()",
        ),
    ),
    nb(
        "07",
        3,
        "nulls-left",
        "nulls left in",
        ("    return without_nulls(definitions)", "    return definitions"),
    ),
    nb(
        "07",
        4,
        "cdn",
        "CDN URLs",
        (
            'href="{root}/assets/swagger-ui.css"',
            'href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"',
        ),
        (
            'src="{root}/assets/swagger-ui-bundle.js"',
            'src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"',
        ),
    ),
    nb(
        "07",
        4,
        "root-path-forgotten",
        "forgetting the root path",
        ('    root = request.scope.get("root_path", "").rstrip("/")', '    root = ""'),
    ),
    nb(
        "07",
        4,
        "single-braces",
        "single braces in the f-string around the JavaScript object",
        ("SwaggerUIBundle({{", "SwaggerUIBundle({"),
        ("}});\n</script>", "});\n</script>"),
    ),
]

MISTAKES: list[Mistake] = [
    *CHAPTER_01,
    *CHAPTER_02,
    *CHAPTER_03,
    *CHAPTER_04_NOTEBOOK,
    *CHAPTER_05_NOTEBOOK,
    *CHAPTER_06_NOTEBOOK,
    *CHAPTER_07_NOTEBOOK,
]


# --- The same mistakes in the chapters' packages ---------------------------------

NONE_WITH_PARAMS = "params returned with `NONE`"
EVERYWHERE = "declaring `/users/{user_id}` before `/users/me`"
ISSUBCLASS = "`issubclass(list[str], ...)` raising `TypeError` (use `get_origin`)"
DEFAULT_SCOPE = 'expecting the default scope\'s cleanup before "response sent"'
DICT_COMPREHENSION = (
    "{jsonable_encoder(k): jsonable_encoder(v) for k, v in obj.items()}"
)

IN_PACKAGES = [
    pkg(
        "01",
        2,
        "first-message-only",
        FIRST_ONLY,
        "app.py",
        "test_demo_asgi.py::test_echo_joins_a_body_sent_in_several_messages",
        (
            '        more_body = message.get("more_body", False)',
            "        more_body = False",
        ),
    ),
    pkg(
        "01",
        4,
        "return-after-startup",
        LIFESPAN,
        "app.py",
        "test_demo_asgi.py::test_lifespan_startup_and_shutdown_complete",
        (
            '            await send({"type": "lifespan.startup.complete"})\n',
            '            await send({"type": "lifespan.startup.complete"})\n            return\n',
        ),
    ),
    pkg(
        "02",
        2,
        "body-read-again",
        "A `body()` that reads again on the second call and meets `http.disconnect`",
        "nanoapi/requests.py",
        "test_requests.py::test_body_is_read_once_and_cached",
        (
            '            self._body = b"".join(chunks)\n',
            '            return b"".join(chunks)\n',
        ),
    ),
    pkg(
        "02",
        2,
        "cache-if-not-body",
        "caching with `if not self._body`, which rereads an empty body",
        "nanoapi/requests.py",
        "test_requests.py::test_an_empty_body_is_kept_too",
        (
            "        if self._body is None:\n            chunks, more",
            "        if not self._body:\n            chunks, more",
        ),
    ),
    pkg(
        "02",
        3,
        "json-spaces",
        JSON_OPTIONS,
        "nanoapi/responses.py",
        "test_responses.py::test_json_is_compact_and_utf8",
        (
            'ensure_ascii=False, allow_nan=False, separators=(",", ":")',
            "ensure_ascii=False, allow_nan=False",
        ),
    ),
    pkg(
        "02",
        3,
        "json-ascii",
        JSON_OPTIONS,
        "nanoapi/responses.py",
        "test_responses.py::test_json_is_compact_and_utf8",
        (
            "    ensure_ascii=False, allow_nan=False,",
            "    ensure_ascii=True, allow_nan=False,",
        ),
    ),
    pkg(
        "02",
        4,
        "no-head",
        "Forgetting HEAD when GET is given",
        "nanoapi/applications.py",
        "test_app.py::test_head_is_answered_where_get_is",
        ('            methods.append("HEAD")', "            pass"),
    ),
    pkg(
        "02",
        4,
        "lower-case-methods",
        "methods not upper-cased",
        "nanoapi/applications.py",
        "test_app.py::test_handlers_are_found_by_path_and_method",
        (
            'methods = [m.upper() for m in methods or ["GET"]]',
            'methods = list(methods or ["GET"])',
        ),
    ),
    pkg(
        "02",
        4,
        "allow-unsorted",
        "an `allow` header that is not `GET, HEAD, POST`",
        "nanoapi/applications.py",
        "test_app.py::test_known_path_wrong_method_is_405_with_allow",
        (
            '            allow = ", ".join(sorted(methods))',
            '            allow = ", ".join(methods)',
        ),
    ),
    pkg(
        "03",
        2,
        "first-added-outermost",
        "Expecting `a in` first: the last middleware added is the outermost, so the "
        "log starts with `c in`",
        "nanoapi/applications.py",
        "test_middleware.py::test_last_added_runs_first_like_fastapi",
        (
            "self.user_middleware.insert(0, Middleware(cls, *args, **kwargs))",
            "self.user_middleware.append(Middleware(cls, *args, **kwargs))",
        ),
    ),
    pkg(
        "03",
        3,
        "lookup-by-exact-class",
        "a handler for `CardDeclined` as well (the lookup walks the classes)",
        "nanoapi/middleware/exceptions.py",
        "test_errors.py::test_errors_answer_like_fastapi",
        (
            "        for cls in type(exc).__mro__:\n",
            "        for cls in [type(exc)]:\n",
        ),
    ),
    pkg(
        "04",
        1,
        "no-anchors",
        "No `^...$` anchors (`/items/42/a/b` matches)",
        "nanoapi/router.py",
        "test_paths.py::test_a_template_compiles_to_a_regex_a_format_and_convertors",
        ('regex += re.escape(path[end:]) + "$"', "regex += re.escape(path[end:])"),
    ),
    pkg(
        "04",
        1,
        "not-escaped",
        "literal parts not escaped (the `.` in `/v1.0`)",
        "nanoapi/router.py",
        "test_paths.py::test_literal_parts_are_escaped",
        (
            "regex += re.escape(path[end : match.start()])",
            "regex += path[end : match.start()]",
        ),
        ('regex += re.escape(path[end:]) + "$"', 'regex += path[end:] + "$"'),
    ),
    pkg(
        "04",
        1,
        "unknown-kind-as-str",
        "an unknown kind silently treated as `str`",
        "nanoapi/router.py",
        "test_paths.py::test_bad_templates_fail_at_registration",
        (
            '            raise ValueError(f"unknown path convertor {kind!r} in {path}")',
            '            kind = "str"',
        ),
    ),
    pkg(
        "04",
        2,
        "params-as-text",
        'Parameters left as text (`"42"`)',
        "nanoapi/router.py",
        "test_paths.py::test_convertors_turn_text_into_python",
        ("k: self.convertors[k].convert(v) for k, v in", "k: v for k, v in"),
    ),
    pkg(
        "04",
        2,
        "none-with-params",
        NONE_WITH_PARAMS,
        "nanoapi/router.py",
        "test_router.py::test_matches_says_none_partial_or_full",
        (
            "return (Match.FULL if full else Match.PARTIAL), child",
            "return (Match.FULL if full else Match.NONE), child",
        ),
    ),
    pkg(
        "04",
        3,
        "405-at-first-partial",
        FIRST_PARTIAL,
        "nanoapi/router.py",
        "test_router.py::test_routing_answers_like_fastapi",
        (
            "            if match is Match.PARTIAL and partial is None:\n"
            "                partial, partial_child = route, child\n",
            "            if match is Match.PARTIAL:\n"
            "                scope.update(child)\n"
            "                await route.handle(scope, receive, send)\n"
            "                return\n",
        ),
    ),
    pkg(
        "04",
        3,
        "last-partial",
        LAST_PARTIAL,
        "nanoapi/router.py",
        "test_router.py::test_routing_answers_like_fastapi",
        (
            "if match is Match.PARTIAL and partial is None:",
            "if match is Match.PARTIAL:",
        ),
    ),
    pkg(
        "04",
        4,
        "full-only",
        "redirecting only on FULL (the `POST /items` case is PARTIAL)",
        "nanoapi/router.py",
        "test_router.py::test_routing_answers_like_fastapi",
        (
            "route.matches(other)[0] is not Match.NONE",
            "route.matches(other)[0] is Match.FULL",
        ),
    ),
    pkg(
        "04",
        4,
        "query-dropped",
        RELATIVE,
        "nanoapi/router.py",
        "test_router.py::test_routing_answers_like_fastapi",
        (
            'other = {**scope, "path": flipped}',
            'other = {**scope, "path": flipped, "query_string": b""}',
        ),
    ),
    pkg(
        "04",
        4,
        "relative-url",
        RELATIVE,
        "nanoapi/router.py",
        "test_router.py::test_routing_answers_like_fastapi",
        (
            "return RedirectResponse(str(URL.from_scope(other)))",
            "return RedirectResponse(flipped)",
        ),
    ),
    pkg(
        "04",
        0,
        "template-before-me",
        EVERYWHERE,
        "app.py",
        "test_router.py::test_no_route_of_the_demo_is_hidden_by_an_earlier_one",
        (
            '@app.get("/users/me")\nasync def current_user',
            '@app.get("/users/{user_id}")\nasync def any_user(request: Request) -> Response:\n'
            '    return JSONResponse({"user_id": request.path_params["user_id"]})\n\n\n'
            '@app.get("/users/me")\nasync def current_user',
        ),
    ),
    pkg(
        "05",
        1,
        "path-before-markers",
        "Testing the path names before the markers",
        "nanoapi/dependencies.py",
        "test_contract.py::test_signature_mistakes_fail_at_registration",
        (
            "    if name in path_names and not isinstance(marker, Path):\n"
            '        raise TypeError(f"{name!r} is in the path, so it must be a path parameter")\n',
            "    if name in path_names:\n        marker = Path()\n",
        ),
    ),
    pkg(
        "05",
        1,
        "bare-list-as-query",
        "a bare `list[str]` taken for a query parameter",
        "nanoapi/dependencies.py",
        "test_parity.py::test_answers_like_fastapi",
        ("    return is_sequence(annotation) or holds(", "    return holds("),
    ),
    pkg(
        "05",
        1,
        "optional-model-missed",
        "missing the model inside `X | None`",
        "nanoapi/dependencies.py",
        "test_parity.py::test_answers_like_fastapi",
        (
            "        return any(holds(arg, test) for arg in get_args(annotation))\n"
            "    return test(origin or annotation)",
            "        return test(annotation)\n    return test(origin or annotation)",
        ),
    ),
    pkg(
        "05",
        1,
        "issubclass-on-generic",
        ISSUBCLASS,
        "nanoapi/dependencies.py",
        "test_contract.py::test_the_route_knows_its_contract_after_registration",
        (
            "    return isinstance(annotation, type) and issubclass(annotation, cls)",
            "    return issubclass(annotation, cls)",
        ),
        ("    return test(origin or annotation)", "    return test(annotation)"),
    ),
    pkg(
        "05",
        1,
        "field-as-marker",
        "`Field(ge=1)` taken for a marker",
        "nanoapi/dependencies.py",
        "test_contract.py::test_the_route_knows_its_contract_after_registration",
        (
            "    markers = [extra for extra in extras if isinstance(extra, Param)]",
            "    markers = [e for e in extras if isinstance(e, pydantic.fields.FieldInfo)]",
        ),
    ),
    pkg(
        "05",
        2,
        "missing-keeps-input",
        "leaving Pydantic's whole input dict on a `missing` error instead of `None`",
        "nanoapi/dependencies.py",
        "test_parity.py::test_answers_like_fastapi",
        (
            '            error["input"] = None  # FastAPI reports a missing value as null\n',
            "            pass\n",
        ),
    ),
    pkg(
        "05",
        2,
        "no-query-in-loc",
        'forgetting the `"query"` in `loc`',
        "nanoapi/dependencies.py",
        "test_parity.py::test_answers_like_fastapi",
        ('"loc": (field.source, field.alias, *rest)', '"loc": (field.alias, *rest)'),
    ),
    pkg(
        "05",
        3,
        "str-before-enum",
        "Testing `str` before `Enum` (a `str` enum stays an enum)",
        "nanoapi/encoders.py",
        "test_encoders.py::test_the_encoder_gives_fastapis_data_type_for_type",
        (
            "    if isinstance(obj, Enum):\n        return obj.value\n",
            "    if isinstance(obj, str | int | float | None):\n        return obj\n"
            "    if isinstance(obj, Enum):\n        return obj.value\n",
        ),
    ),
    pkg(
        "05",
        3,
        "decimal-as-float",
        "every `Decimal` as a `float`",
        "nanoapi/encoders.py",
        "test_encoders.py::test_the_encoder_gives_fastapis_data_type_for_type",
        ("    Decimal: decimal_to_number,", "    Decimal: float,"),
    ),
    pkg(
        "05",
        3,
        "keys-not-encoded",
        "dict keys not encoded",
        "nanoapi/encoders.py",
        "test_encoders.py::test_the_encoder_gives_fastapis_data_type_for_type",
        (
            "    if kind is dict:\n        return " + DICT_COMPREHENSION,
            "    if kind is dict:\n        return {k: jsonable_encoder(v) for k, v in obj.items()}",
        ),
        (
            "    if isinstance(obj, dict):\n        return " + DICT_COMPREHENSION,
            "    if isinstance(obj, dict):\n"
            "        return {k: jsonable_encoder(v) for k, v in obj.items()}",
        ),
    ),
    pkg(
        "05",
        4,
        "no-from-attributes",
        "no `from_attributes=True`",
        "nanoapi/routing.py",
        "test_parity.py::test_answers_like_fastapi",
        (
            "            return adapter.validate_python(result, from_attributes=True)",
            "            return adapter.validate_python(result)",
        ),
    ),
    pkg(
        "05",
        4,
        "dict-not-bytes",
        "returning a dict instead of JSON bytes",
        "nanoapi/routing.py",
        "test_parity.py::test_answers_like_fastapi",
        (
            "data = self.response_adapter.dump_json(valid, **self.dump_options)",
            'data = self.response_adapter.dump_python(valid, mode="json")',
        ),
    ),
    pkg(
        "05",
        4,
        "422-for-the-server",
        "expecting a 422 where the server's own mistake is a 500",
        "nanoapi/routing.py",
        "test_parity.py::test_answers_like_fastapi",
        (
            "            raise ResponseValidationError(located) from exc",
            "            raise RequestValidationError(located) from exc",
        ),
    ),
    pkg(
        "06",
        1,
        "module-level-cache",
        KEPT_CACHE,
        "nanoapi/dependencies.py",
        "test_parity.py::test_dependencies_behave_like_fastapi",
        (
            "@dataclass\nclass Solver:\n",
            "KEPT: dict[Any, Any] = {}\n\n\n@dataclass\nclass Solver:\n",
        ),
        (
            "    cache: dict[tuple[Callable[..., Any], str | None], Any] = field(\n"
            "        default_factory=dict\n",
            "    cache: dict[tuple[Callable[..., Any], str | None], Any] = field(\n"
            "        default_factory=lambda: KEPT\n",
        ),
    ),
    pkg(
        "06",
        1,
        "use-cache-ignored",
        "ignoring `use_cache=False`",
        "nanoapi/dependencies.py",
        "test_parity.py::test_dependencies_behave_like_fastapi",
        (
            "            if sub.use_cache and key in self.cache:",
            "            if key in self.cache:",
        ),
    ),
    pkg(
        "07",
        1,
        "only-slashes-and-braces",
        "Replacing only `/` and braces, not `-` and `.`",
        "nanoapi/openapi.py",
        "test_document.py::test_the_document_equals_fastapis",
        (
            're.sub(r"\\W", "_", f"{route.name}{route.path_format}")',
            're.sub(r"[/{}]", "_", f"{route.name}{route.path_format}")',
        ),
    ),
    pkg(
        "07",
        1,
        "no-underscore",
        METHOD_SUFFIX,
        "nanoapi/openapi.py",
        "test_document.py::test_the_document_equals_fastapis",
        (
            'return f"{name}_{sorted(route.methods)[0].lower()}"',
            'return f"{name}{sorted(route.methods)[0].lower()}"',
        ),
    ),
    pkg(
        "07",
        2,
        "own-params-only",
        "Only the route's own `params`, not its dependencies' (the `x-token` header "
        "is two levels down)",
        "nanoapi/openapi.py",
        "test_document.py::test_the_document_equals_fastapis",
        (
            "    found = dependant.params + [\n"
            "        f for d in dependant.dependencies for f in flat_params(d)\n    ]",
            "    found = dependant.params",
        ),
    ),
    pkg(
        "07",
        2,
        "sorted-by-name",
        "sorting by name instead of by source, which must keep the tree's order",
        "nanoapi/openapi.py",
        "test_document.py::test_the_document_equals_fastapis",
        (
            "    return sorted(found, key=lambda f: SOURCES.index(f.source))",
            "    return sorted(found, key=lambda f: f.alias)",
        ),
    ),
    pkg(
        "07",
        2,
        "title-underscore",
        "a title such as `Note_Id`",
        "nanoapi/openapi.py",
        "test_document.py::test_the_document_equals_fastapis",
        ('    return name.title().replace("_", " ")', "    return name.title()"),
    ),
    pkg(
        "07",
        3,
        "refs-to-defs",
        DEFS,
        "nanoapi/openapi.py",
        "test_document.py::test_the_document_equals_fastapis",
        (
            'generator = SchemaGenerator(ref_template=REF + "{model}")',
            "generator = SchemaGenerator()",
        ),
    ),
    pkg(
        "07",
        3,
        "nulls-left",
        "nulls left in",
        "nanoapi/openapi.py",
        "test_document.py::test_the_document_equals_fastapis",
        (
            "    cleaned: dict[str, Any] = without_nulls(document)",
            "    cleaned: dict[str, Any] = document",
        ),
    ),
    pkg(
        "07",
        4,
        "root-path-forgotten",
        "forgetting the root path",
        "nanoapi/docs.py",
        "test_docs_pages.py::test_pages_follow_the_root_path",
        (
            '        prefix = request.scope.get("root_path", "").rstrip("/")',
            '        prefix = ""',
        ),
    ),
]

IN_PACKAGES += [
    pkg(
        "06",
        2,
        "cleanup-before-sending",
        DEFAULT_SCOPE,
        "nanoapi/routing.py",
        "test_faults.py::test_faults_answer_and_clean_up_like_fastapi",
        (
            "            response = await handler(Request(scope, receive))\n"
            "            await response(scope, receive, send)\n"
            "            return\n",
            "            response = await handler(Request(scope, receive))\n"
            "        await response(scope, receive, send)\n"
            "        return\n",
        ),
    ),
]
CHAPTER_06_NOTEBOOK += [
    nb(
        "06",
        1,
        "function-before-dependencies",
        "calling the function before its dependencies",
        (
            "            arguments[name] = solve(dep, cache)\n",
            "            arguments[name] = lambda dep=dep: solve(dep, cache)\n",
        ),
    ),
]
MISTAKES += [*IN_PACKAGES, CHAPTER_06_NOTEBOOK[-1]]

# --- 09 drop-in --------------------------------------------------------------------

OWN_KEYS_ONLY = (
    'Passing on only the model\'s own keys, so `extra="forbid"` never sees `color=red`'
)
ONE_OF_A_LIST = "`query[key]` for a list field, which keeps one of `tags=a&tags=b`"
NAME_NOT_ALIAS = (
    "reading a field under its name instead of its alias, so a lone `item-id=7` "
    "reaches a list field as a bare string"
)
OUTER_RESPONSES_WIN = (
    "The router's `responses` laid over the route's, so the router's 404 replaces "
    "the route's own"
)
ROUTE_LISTS_FIRST = "the route's tags and dependencies before the router's"
SCHEMA_OR = "`include_in_schema` joined with `or` instead of `and`"
LISTS_IN_PLACE = (
    "extending the router's own list in place (`tags += ...`), so each route's "
    "tags pile onto the next one's"
)
HANDLER_DIRECT = (
    "a route that calls its handler directly instead of what `get_route_handler()` "
    "returns, so a subclass's wrapper never runs"
)
CLASS_LOST = (
    "an included route built with the including router's `route_class` instead of "
    "its own"
)
QUERY_DATA_EXTRAS = """\
    for key in query:
        if key not in keys:
            values = query.getlist(key)
            data[key] = values[0] if len(values) == 1 else values
    return data"""
MERGED_LISTS = (
    "        merged[key] = [*(outer.get(key) or []), *(route.get(key) or [])]\n"
)
MERGED_RESPONSES = (
    'merged["responses"] = {**(outer.get("responses") or {}), '
    '**(route.get("responses") or {})}'
)

CHAPTER_09 = [
    nb(
        "09",
        1,
        "own-keys-only",
        OWN_KEYS_ONLY,
        (QUERY_DATA_EXTRAS, "    return data"),
    ),
    pkg(
        "09",
        1,
        "own-keys-only",
        OWN_KEYS_ONLY,
        "nanoapi/dependencies.py",
        "test_param_models.py::test_answers_equal_fastapis",
        (
            "        for key, value in every_pair(values):\n"
            "            if key not in self.taken:\n"
            "                extras.setdefault(key, []).append(value)\n",
            "",
        ),
    ),
    nb(
        "09",
        1,
        "one-of-a-list",
        ONE_OF_A_LIST,
        (
            "        if is_sequence(info.annotation):\n"
            "            if values := query.getlist(key):\n"
            "                data[key] = values\n"
            "        elif key in query:\n",
            "        if key in query:\n",
        ),
    ),
    pkg(
        "09",
        1,
        "one-of-a-list",
        ONE_OF_A_LIST,
        "nanoapi/dependencies.py",
        "test_param_models.py::test_answers_equal_fastapis",
        (
            "    many = is_sequence(kind)\n    return Field(key,",
            "    many = False\n    return Field(key,",
        ),
    ),
    nb(
        "09",
        1,
        "name-not-alias",
        NAME_NOT_ALIAS,
        ("        key = info.alias or name\n", "        key = name\n"),
    ),
    pkg(
        "09",
        1,
        "name-not-alias",
        NAME_NOT_ALIAS,
        "nanoapi/dependencies.py",
        "test_param_models.py::test_answers_equal_fastapis",
        (
            "    key = info.validation_alias\n"
            "    if not isinstance(key, str):\n"
            "        key = info.alias or name\n",
            "    key = name\n",
        ),
    ),
    nb(
        "09",
        2,
        "outer-responses-win",
        OUTER_RESPONSES_WIN,
        (
            MERGED_RESPONSES,
            'merged["responses"] = {**(route.get("responses") or {}), '
            '**(outer.get("responses") or {})}',
        ),
    ),
    pkg(
        "09",
        2,
        "outer-responses-win",
        OUTER_RESPONSES_WIN,
        "nanoapi/routing.py",
        "test_router_options.py::test_the_document_equals_fastapis",
        (
            '        **(outer.get("responses") or {}),\n'
            '        **(options.get("responses") or {}),\n',
            '        **(options.get("responses") or {}),\n'
            '        **(outer.get("responses") or {}),\n',
        ),
    ),
    nb(
        "09",
        2,
        "route-lists-first",
        ROUTE_LISTS_FIRST,
        (
            MERGED_LISTS,
            "        merged[key] = [*(route.get(key) or []), *(outer.get(key) or [])]\n",
        ),
    ),
    pkg(
        "09",
        2,
        "route-lists-first",
        ROUTE_LISTS_FIRST,
        "nanoapi/routing.py",
        "test_router_options.py::test_the_document_equals_fastapis",
        (
            'merged["tags"] = [*(outer.get("tags") or []), *(options.get("tags") or [])]',
            'merged["tags"] = [*(options.get("tags") or []), *(outer.get("tags") or [])]',
        ),
    ),
    nb(
        "09",
        2,
        "schema-or",
        SCHEMA_OR,
        (
            'documented and outer.get("include_in_schema", True)',
            'documented or outer.get("include_in_schema", True)',
        ),
    ),
    pkg(
        "09",
        2,
        "schema-or",
        SCHEMA_OR,
        "nanoapi/routing.py",
        "test_router_options.py::test_the_document_equals_fastapis",
        (
            'documented and outer.get("include_in_schema", True)',
            'documented or outer.get("include_in_schema", True)',
        ),
    ),
    nb(
        "09",
        2,
        "lists-in-place",
        LISTS_IN_PLACE,
        (
            MERGED_LISTS,
            "        merged[key] = outer.get(key) or []\n"
            "        merged[key] += route.get(key) or []\n",
        ),
    ),
    pkg(
        "09",
        2,
        "lists-in-place",
        LISTS_IN_PLACE,
        "nanoapi/routing.py",
        "test_router_options.py::test_the_document_equals_fastapis",
        (
            'merged["tags"] = [*(outer.get("tags") or []), *(options.get("tags") or [])]',
            'merged["tags"] = outer.get("tags") or []\n'
            '    merged["tags"] += options.get("tags") or []',
        ),
    ),
    nb(
        "09",
        3,
        "body-as-str",
        "`str(await request.body())`, which gives `b'...'`",
        (
            "body = (await request.body()).decode()",
            "body = str(await request.body())",
        ),
    ),
    nb(
        "09",
        3,
        "every-exception",
        "catching every exception, so the handler's own 404 turns into a 500",
        (
            "            except RequestValidationError as exc:\n",
            "            except Exception as exc:\n",
        ),
    ),
    nb(
        "09",
        3,
        "no-return",
        "forgetting to return the wrapper",
        ("        return showing_body\n", ""),
    ),
    pkg(
        "09",
        3,
        "handler-direct",
        HANDLER_DIRECT,
        "nanoapi/routing.py",
        "test_custom_routes.py::test_route_classes_answer_like_fastapis",
        (
            "return request_response(self.get_route_handler())",
            "return request_response(self.handle_request)",
        ),
    ),
    pkg(
        "09",
        3,
        "class-lost",
        CLASS_LOST,
        "nanoapi/routing.py",
        "test_custom_routes.py::test_route_classes_answer_like_fastapis",
        (
            "                    route_class_override=type(route),  # a custom class stays\n",
            "",
        ),
    ),
    nb(
        "09",
        4,
        "create-module-none",
        "`create_module` returning `None` (the import system then makes an empty module)",
        ("        return self.module\n", "        return None\n"),
    ),
    nb(
        "09",
        4,
        "alias-spec-left",
        "leaving the alias's spec on the module, so `nanoapi.__spec__.name` says `fastapi`",
        (
            "        module.__spec__ = self.spec  # the import system wrote the alias's there\n",
            "        pass\n",
        ),
    ),
    nb(
        "09",
        4,
        "startswith",
        'matching names with `startswith("fastapi")`, which also takes another '
        "package such as `fastapi_users`",
        (
            "        if top != self.alias:\n",
            "        if not fullname.startswith(self.alias):\n",
        ),
    ),
]

# --- 10 forms and security -----------------------------------------------------------

PLUS_AFTER = (
    "Decoding `%XX` before turning `+` into spaces (`%2B` then becomes a space)"
)
STRICT_UTF8 = (
    "strict UTF-8, which fails on a byte such as `%FF` instead of replacing it"
)
IN_MEMORY = (
    "Keeping a file's bytes in memory until the part or the body ends, instead of "
    "writing each piece to the file as it comes"
)
NO_REWIND = "not rewinding the spooled file, so the handler reads nothing"
WHOLE_DATA = "writing all of `data` instead of `data[start:end]`"
NO_MAX_SIZE = "a `SpooledTemporaryFile()` without `max_size`, which never moves to disk"
EMPTY_FILENAME = (
    '`if options.get(b"filename")`, which takes an empty file input '
    '(`filename=""`) for a text field'
)
MIXED_UP = (
    "401 and 403 mixed up: no key is a 401 with its challenge, a key we do not "
    "know a 403"
)
NO_CHALLENGE = "a 401 without `WWW-Authenticate`"
KEY_IS_NONE = "`if key is None`, which takes an empty header for a key"
HEADERS_SUBSCRIPT = (
    "`request.headers[self.name]`, a `KeyError` (a 500) when the header is missing"
)
OWN_SCOPES = (
    "passing a dependency only its own scopes, not those its dependants asked for"
)
UNESCAPE_RETURN = '    return bytes(out).decode("utf-8", errors="replace")'
API_KEY_CHECKS = """\
        if not key:
            raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "APIKey"})
        if key not in self.keys:
            raise HTTPException(403, "Invalid API key")"""
SCOPE_CHECK = """\
    if any(scope not in granted for scope in security_scopes.scopes):
        challenge = f'Bearer error="insufficient_scope", scope="{security_scopes.scope_str}"'"""
NOT_AUTHENTICATED = 'return HTTPException(401, "Not authenticated", headers=headers)'

CHAPTER_10 = [
    nb(
        "10",
        1,
        "plus-after-percent",
        PLUS_AFTER,
        ('    raw = raw.replace(b"+", b" ")\n', ""),
        (
            UNESCAPE_RETURN,
            UNESCAPE_RETURN.replace("bytes(out)", 'bytes(out).replace(b"+", b" ")'),
        ),
    ),
    pkg(
        "10",
        1,
        "plus-after-percent",
        PLUS_AFTER,
        "nanoapi/formparsers.py",
        "test_forms.py::test_exact_bodies_answer_like_fastapi",
        ("from urllib.parse import unquote_plus", "from urllib.parse import unquote"),
        (
            'unquote_plus(part.decode("latin-1"))',
            'unquote(part.decode("latin-1")).replace("+", " ")',
        ),
    ),
    nb(
        "10",
        1,
        "strict-utf8",
        STRICT_UTF8,
        (UNESCAPE_RETURN, '    return bytes(out).decode("utf-8")'),
    ),
    pkg(
        "10",
        1,
        "strict-utf8-urlencoded",
        STRICT_UTF8,
        "nanoapi/formparsers.py",
        "test_hostile.py::test_hostile_forms_get_fastapis_answer",
        (
            'unquote_plus(part.decode("latin-1"))',
            'unquote_plus(part.decode("latin-1"), errors="strict")',
        ),
    ),
    pkg(
        "10",
        1,
        "strict-utf8-multipart",
        STRICT_UTF8,
        "nanoapi/formparsers.py",
        "test_hostile.py::test_hostile_forms_get_fastapis_answer",
        (
            "    try:\n        return data.decode(charset)\n"
            "    except UnicodeDecodeError:\n"
            '        return data.decode("latin-1")\n',
            "    return data.decode(charset)\n",
        ),
    ),
    nb(
        "10",
        1,
        "decode-then-split",
        "decoding the whole body before splitting it, so a `%26` splits a value",
        (
            '    for piece in body.split(b"&"):\n'
            "        if not piece:\n"
            "            continue\n"
            '        name, _, value = piece.partition(b"=")\n'
            "        pairs.append((unescape(name), unescape(value)))\n",
            '    for piece in unescape(body).split("&"):\n'
            "        if not piece:\n"
            "            continue\n"
            '        name, _, value = piece.partition("=")\n'
            "        pairs.append((name, value))\n",
        ),
    ),
    nb(
        "10",
        1,
        "every-equals-sign",
        "splitting at every `=` (`k=v=w`)",
        (
            '        name, _, value = piece.partition(b"=")\n',
            '        name, value = (piece.split(b"=") + [b""])[:2]\n',
        ),
    ),
    nb(
        "10",
        2,
        "in-memory",
        IN_MEMORY,
        (
            "        if self.part.file is not None:\n"
            "            self.part.file.write(data[start:end])\n"
            "        else:\n"
            "            self.part.data += data[start:end]\n",
            "        self.part.data += data[start:end]\n",
        ),
        (
            "        if self.part.file is not None:\n"
            "            self.part.file.seek(0)\n",
            "        if self.part.file is not None:\n"
            "            self.part.file.write(self.part.data)\n"
            "            self.part.data = bytearray()\n"
            "            self.part.file.seek(0)\n",
        ),
    ),
    pkg(
        "10",
        2,
        "in-memory",
        IN_MEMORY,
        "nanoapi/formparsers.py",
        "test_forms.py::test_an_upload_never_sits_in_memory_whole",
        (
            "            reader.parser.write(chunk)\n"
            "            await reader.write_files()\n"
            "        reader.parser.finalize()\n",
            "            reader.parser.write(chunk)\n"
            "        reader.parser.finalize()\n"
            "        await reader.write_files()\n",
        ),
    ),
    nb(
        "10",
        2,
        "no-rewind",
        NO_REWIND,
        (
            "        if self.part.file is not None:\n"
            "            self.part.file.seek(0)\n"
            "        self.parts.append(self.part)\n",
            "        self.parts.append(self.part)\n",
        ),
    ),
    pkg(
        "10",
        2,
        "no-rewind",
        NO_REWIND,
        "nanoapi/formparsers.py",
        "test_forms.py::test_forms_and_files_answer_like_fastapi",
        (
            "    for _, value in form.multi_items():\n"
            "        if isinstance(value, UploadFile):\n"
            "            await value.seek(0)\n",
            "",
        ),
    ),
    nb(
        "10",
        2,
        "whole-data",
        WHOLE_DATA,
        (
            "            self.part.file.write(data[start:end])\n",
            "            self.part.file.write(data)\n",
        ),
    ),
    pkg(
        "10",
        2,
        "whole-data",
        WHOLE_DATA,
        "nanoapi/formparsers.py",
        "test_forms.py::test_forms_and_files_answer_like_fastapi",
        (
            "self.to_write.append((self.part.file, data[start:end]))",
            "self.to_write.append((self.part.file, data))",
        ),
    ),
    nb(
        "10",
        2,
        "no-max-size",
        NO_MAX_SIZE,
        (
            "self.part.file = SpooledTemporaryFile(max_size=SPOOL_SIZE)",
            "self.part.file = SpooledTemporaryFile()",
        ),
    ),
    pkg(
        "10",
        2,
        "no-max-size",
        NO_MAX_SIZE,
        "nanoapi/formparsers.py",
        "test_forms.py::test_an_upload_never_sits_in_memory_whole",
        (
            "SpooledTemporaryFile(max_size=SPOOL_SIZE)  # noqa: SIM115",
            "SpooledTemporaryFile()  # noqa: SIM115",
        ),
    ),
    nb(
        "10",
        2,
        "empty-filename",
        EMPTY_FILENAME,
        (
            '        if b"filename" in options:\n',
            '        if options.get(b"filename"):\n',
        ),
    ),
    pkg(
        "10",
        2,
        "empty-filename",
        EMPTY_FILENAME,
        "nanoapi/formparsers.py",
        "test_forms.py::test_forms_and_files_answer_like_fastapi",
        ('if b"filename" not in options:', 'if not options.get(b"filename"):'),
    ),
    pkg(
        "10",
        2,
        "files-left-open",
        "leaving the files open after the response (nothing puts `request.close` "
        "on the request's exit stack)",
        "nanoapi/routing.py",
        "test_hostile.py::test_every_temporary_file_is_closed",
        ("        stack.push_async_callback(request.close)\n", ""),
    ),
    nb(
        "10",
        3,
        "wrong-key-401",
        MIXED_UP,
        (
            API_KEY_CHECKS,
            API_KEY_CHECKS.replace(
                '(403, "Invalid API key")',
                '(401, "Invalid API key", headers={"WWW-Authenticate": "APIKey"})',
            ),
        ),
    ),
    nb(
        "10",
        3,
        "no-key-403",
        MIXED_UP,
        (
            API_KEY_CHECKS,
            API_KEY_CHECKS.replace(
                '(401, "Not authenticated", headers={"WWW-Authenticate": "APIKey"})',
                '(403, "Not authenticated")',
            ),
        ),
    ),
    pkg(
        "10",
        3,
        "no-key-403",
        MIXED_UP,
        "nanoapi/security/base.py",
        "test_security.py::test_schemes_answer_like_fastapi",
        (NOT_AUTHENTICATED, NOT_AUTHENTICATED.replace("401", "403")),
    ),
    nb(
        "10",
        3,
        "no-challenge",
        NO_CHALLENGE,
        (
            '(401, "Not authenticated", headers={"WWW-Authenticate": "APIKey"})',
            '(401, "Not authenticated")',
        ),
    ),
    pkg(
        "10",
        3,
        "no-challenge",
        NO_CHALLENGE,
        "nanoapi/security/base.py",
        "test_security.py::test_schemes_answer_like_fastapi",
        (NOT_AUTHENTICATED, 'return HTTPException(401, "Not authenticated")'),
    ),
    nb(
        "10",
        3,
        "key-is-none",
        KEY_IS_NONE,
        ("        if not key:\n", "        if key is None:\n"),
    ),
    pkg(
        "10",
        3,
        "key-is-none",
        KEY_IS_NONE,
        "nanoapi/security/api_key.py",
        "test_security.py::test_schemes_answer_like_fastapi",
        ("        if not key:\n", "        if key is None:\n"),
    ),
    nb(
        "10",
        3,
        "headers-subscript",
        HEADERS_SUBSCRIPT,
        (
            "        key = request.headers.get(self.name)\n",
            "        key = request.headers[self.name]\n",
        ),
    ),
    pkg(
        "10",
        3,
        "headers-subscript",
        HEADERS_SUBSCRIPT,
        "nanoapi/security/api_key.py",
        "test_security.py::test_schemes_answer_like_fastapi",
        (
            'return request.headers.get(self.model["name"])',
            'return request.headers[self.model["name"]]',
        ),
    ),
    nb(
        "10",
        4,
        "first-scope-only",
        "Checking only the first scope asked",
        (
            "    if any(scope not in granted for scope in security_scopes.scopes):\n",
            "    if security_scopes.scopes and security_scopes.scopes[0] not in granted:\n",
        ),
    ),
    nb(
        "10",
        4,
        "401-for-a-scope",
        "a 401 for a missing scope instead of a 403",
        (
            '        raise HTTPException(403, "Not enough permissions",',
            '        raise HTTPException(401, "Not enough permissions",',
        ),
    ),
    nb(
        "10",
        4,
        "challenge-missing-only",
        "a challenge that names only the missing scopes, not all those asked",
        (
            SCOPE_CHECK,
            "    missing = [scope for scope in security_scopes.scopes if scope not in granted]\n"
            "    if missing:\n"
            """        challenge = f'Bearer error="insufficient_scope", scope="{" ".join(missing)}"'""",
        ),
    ),
    pkg(
        "10",
        4,
        "own-scopes",
        OWN_SCOPES,
        "nanoapi/dependencies.py",
        "test_security.py::test_schemes_answer_like_fastapi",
        (
            "    asked = list(dict.fromkeys([*scopes, *own]))",
            "    asked = list(own)",
        ),
    ),
]

MISTAKES += [*CHAPTER_09, *CHAPTER_10]

# --- 11 WebSockets and streaming -------------------------------------------------------

NO_CONNECT = (
    "Accepting without reading `websocket.connect` first, so that the loop takes "
    "the `connect` for a message"
)
EMPTY_TEXT = '`if message.get("text"):`, which takes an empty text for a binary message'
DISCONNECT_AS_MESSAGE = (
    'treating `websocket.disconnect` as a message (a `KeyError` on `"bytes"` or '
    '`"text"`)'
)
RECEIVE_AFTER_DISCONNECT = "calling `receive()` again after it"
ECHO_NOT_OFFERED = 'accepting with `"echo"` when the client did not offer it'
AFTER_QUIT = "going on after the `/quit` close (a send after `websocket.close`)"
NO_PONG = "in the server, not answering a ping with its pong"
FRAME_BY_FRAME = (
    "handing the app each frame of a fragmented message instead of the whole message"
)
NO_1006 = (
    "taking a read of no bytes (the TCP connection closed without a close frame) "
    "for nothing, so that the app waits forever for its `websocket.disconnect` (1006)"
)
BEFORE_ACCEPT = (
    'Sending before `websocket.accept` (the newcomer\'s own "joined", or no '
    "`accept` at all)"
)
NO_TRY = (
    "no `try` around each send in `broadcast`, so that one member who left breaks "
    "the room for everyone"
)
ONLY_DISCONNECT = (
    "catching only `WebSocketDisconnect` there, when a member that was closed "
    "raises `RuntimeError`"
)
DICT_CHANGED = (
    "looping over `self.active` itself while dropping from it (`dictionary "
    "changed size during iteration`)"
)
NEVER_LEAVES = (
    "forgetting to take a member out when it leaves (no `except "
    "WebSocketDisconnect` around the loop, or no `disconnect()` in it)"
)
CODES_MIXED = (
    "1011 and 1000 mixed up: an error after accept is a 1011 close, one before "
    "accept a plain close, which the server turns into a 403"
)
ACCEPT_TO_REFUSE = (
    "accepting in the validation error's handler so that the client sees the 1008 "
    "as a close frame: a handshake that breaks the contract is refused (a 403 on "
    "a real server), never accepted"
)
HTTP_FOR_WEBSOCKET = (
    "answering a `websocket` scope that no route matches as if it were HTTP (a "
    "404, or the trailing-slash redirect) instead of closing it"
)
WHOLE_FILE = (
    "The whole file built in memory first (one string, or a list of lines) and "
    "then sent"
)
COUNT_NOT_IN_FINALLY = (
    "taking the count back after the loop instead of in a `finally`, which a "
    "client that leaves skips"
)
LINE_WITHOUT_NEWLINE = "a line without its `\\n`"
FUNCTION_NOT_CALLED = (
    "`StreamingResponse(lines, ...)`: the function, not its generator `lines()`"
)
JSONL_NO_NEWLINE = "a JSON lines item without its trailing newline"
SSE_ONE_DATA_LINE = (
    "an event's `data` with a newline in it sent on one `data:` line (each of its "
    "lines needs its own)"
)
NOT_WATCHING = (
    "Not watching `receive()` while sending: a stream that waits between pieces "
    "notices that its client left only at its next piece, maybe never"
)
FIRST_MESSAGE = (
    "taking the first message `receive()` gives (the request's body) for the "
    "disconnect, so the stream stops at once"
)
NO_ACLOSE = "no `aclose()`: the generator's `finally` waits for the garbage collector"
CLOSE_TOO_SOON = (
    "closing the generator before the cancelled tasks have finished "
    "(`aclose()`: asynchronous generator is already running)"
)
NO_LAST_PIECE = (
    "forgetting the last, empty `http.response.body` (`more_body: False`), so "
    "that the client waits for an end that never comes"
)
NO_TURN = (
    "a stream loop that never gives the event loop a turn (`await "
    "asyncio.sleep(0)`): on uvicorn, an endless generator whose client left then "
    "holds the whole server"
)
ECHO_DISCONNECT = """\
        if message["type"] == "websocket.disconnect":
            return
"""
ECHO_QUIT = """\
            await send({"type": "websocket.close", "code": 1000, "reason": "bye"})
            return
"""
BROADCAST = """\
        for websocket in list(self.active):
            try:
                await websocket.send_text(text)
            except (WebSocketDisconnect, RuntimeError):
                self.active.pop(websocket, None)
"""
ROOM_LOOP = """\
    await manager.connect(websocket, name)
    try:
        while True:
            message = await websocket.receive_text()
            await manager.broadcast(f"{name}: {message}")
    except WebSocketDisconnect:
        manager.disconnect(websocket)
        await manager.broadcast(f"{name} left")
"""
CSV_LINES = """\
            yield "n,square\\n"
            for n in range(1, count + 1):
                yield f"{n},{n * n}\\n"
"""
STREAM_TASKS = """\
    tasks = {asyncio.ensure_future(sending()), asyncio.ensure_future(leaving())}
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        await chunks.aclose()
"""
RECEIVE_MESSAGE_DISCONNECT = """\
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
"""

CHAPTER_11 = [
    nb(
        "11",
        1,
        "connect-not-read",
        NO_CONNECT,
        ("    await receive()  # websocket.connect\n", ""),
    ),
    pkg(
        "11",
        1,
        "connect-not-read",
        NO_CONNECT,
        "nanoapi/websockets.py",
        "test_websocket_app.py::test_receive_text_then_bytes_and_the_client_helpers",
        (
            "        if self.client_state is WebSocketState.CONNECTING:\n"
            "            await self.receive()\n",
            "",
        ),
    ),
    nb(
        "11",
        1,
        "empty-text",
        EMPTY_TEXT,
        (
            '        if message.get("text") is not None:\n',
            '        if message.get("text"):\n',
        ),
    ),
    nb(
        "11",
        1,
        "disconnect-as-message",
        DISCONNECT_AS_MESSAGE,
        (ECHO_DISCONNECT, ""),
    ),
    pkg(
        "11",
        1,
        "disconnect-as-message",
        DISCONNECT_AS_MESSAGE,
        "nanoapi/websockets.py",
        "test_websocket_app.py::test_receive_text_then_bytes_and_the_client_helpers",
        (RECEIVE_MESSAGE_DISCONNECT, ""),
    ),
    nb(
        "11",
        1,
        "receive-after-disconnect",
        RECEIVE_AFTER_DISCONNECT,
        (ECHO_DISCONNECT, ECHO_DISCONNECT.replace("return", "continue")),
    ),
    nb(
        "11",
        1,
        "echo-not-offered",
        ECHO_NOT_OFFERED,
        (
            '    subprotocol = "echo" if "echo" in scope["subprotocols"] else None\n',
            '    subprotocol = "echo"\n',
        ),
    ),
    nb(
        "11",
        1,
        "after-quit",
        AFTER_QUIT,
        (ECHO_QUIT, ECHO_QUIT.replace("            return\n", "")),
    ),
    pkg(
        "11",
        1,
        "no-pong",
        NO_PONG,
        "nanoapi/server_websocket.py",
        "test_websocket_server.py::test_a_ping_gets_its_pong",
        (
            "        elif isinstance(event, Ping) and self.ws.state is ConnectionState.OPEN:\n"
            "            await self.write(event.response())\n",
            "",
        ),
    ),
    pkg(
        "11",
        1,
        "frame-by-frame",
        FRAME_BY_FRAME,
        "nanoapi/server_websocket.py",
        "test_websocket_server.py::test_a_fragmented_message_arrives_whole",
        ("        elif event.message_finished:\n", "        else:\n"),
    ),
    pkg(
        "11",
        1,
        "no-1006",
        NO_1006,
        "nanoapi/server_websocket.py",
        "test_websocket_server.py::test_an_abrupt_close_gives_the_app_1006",
        (
            "                    self.disconnect(ABNORMAL_CLOSURE)  # no close frame: TCP closed\n",
            "",
        ),
    ),
    nb(
        "11",
        2,
        "no-accept",
        BEFORE_ACCEPT,
        (
            "        await websocket.accept()\n        self.active",
            "        self.active",
        ),
    ),
    nb(
        "11",
        2,
        "announce-before-accept",
        BEFORE_ACCEPT,
        (
            "        await websocket.accept()\n"
            "        self.active[websocket] = name\n"
            '        await self.broadcast(f"{name} joined")\n',
            "        self.active[websocket] = name\n"
            '        await self.broadcast(f"{name} joined")\n'
            "        await websocket.accept()\n",
        ),
    ),
    nb(
        "11",
        2,
        "no-try",
        NO_TRY,
        (
            BROADCAST,
            "        for websocket in list(self.active):\n"
            "            await websocket.send_text(text)\n",
        ),
    ),
    nb(
        "11",
        2,
        "only-disconnect",
        ONLY_DISCONNECT,
        (
            "            except (WebSocketDisconnect, RuntimeError):\n",
            "            except WebSocketDisconnect:\n",
        ),
    ),
    nb(
        "11",
        2,
        "dict-changed",
        DICT_CHANGED,
        (
            "        for websocket in list(self.active):\n            try:\n",
            "        for websocket in self.active:\n            try:\n",
        ),
    ),
    nb(
        "11",
        2,
        "no-except",
        NEVER_LEAVES,
        (
            ROOM_LOOP,
            "    await manager.connect(websocket, name)\n"
            "    while True:\n"
            "        message = await websocket.receive_text()\n"
            '        await manager.broadcast(f"{name}: {message}")\n',
        ),
    ),
    nb(
        "11",
        2,
        "no-disconnect",
        NEVER_LEAVES,
        ("        manager.disconnect(websocket)\n", ""),
    ),
    pkg(
        "11",
        2,
        "codes-mixed",
        CODES_MIXED,
        "nanoapi/middleware/errors.py",
        "test_websocket_app.py::test_an_unhandled_exception_closes_the_connection_first",
        (
            "code = 1011 if accepted else 1000",
            "code = 1000 if accepted else 1011",
        ),
    ),
    pkg(
        "11",
        2,
        "accept-to-refuse",
        ACCEPT_TO_REFUSE,
        "nanoapi/exception_handlers.py",
        "test_websocket_app.py::test_a_validation_error_closes_with_1008_and_the_errors",
        (
            "    reason = jsonable_encoder(exc.errors())\n",
            "    reason = jsonable_encoder(exc.errors())\n"
            "    await websocket.accept()\n",
        ),
    ),
    pkg(
        "11",
        2,
        "404-for-websocket",
        HTTP_FOR_WEBSOCKET,
        "nanoapi/router.py",
        "test_websocket_app.py::test_a_refused_handshake_closes",
        (
            "    async def not_found(self, scope: Scope, receive: Receive, send: Send) -> None:\n"
            '        if scope["type"] == "websocket":\n'
            "            await WebSocketClose()(scope, receive, send)\n"
            "            return\n",
            "    async def not_found(self, scope: Scope, receive: Receive, send: Send) -> None:\n",
        ),
    ),
    pkg(
        "11",
        2,
        "redirect-websocket",
        HTTP_FOR_WEBSOCKET,
        "nanoapi/router.py",
        "test_websocket_app.py::test_a_refused_handshake_closes",
        (
            'if not self.redirect_slashes or path == "/" or scope["type"] != "http":',
            'if not self.redirect_slashes or path == "/":',
        ),
    ),
    nb(
        "11",
        3,
        "one-string",
        WHOLE_FILE,
        (
            CSV_LINES,
            '            rows = [f"{n},{n * n}\\n" for n in range(1, count + 1)]\n'
            '            yield "n,square\\n" + "".join(rows)\n',
        ),
    ),
    nb(
        "11",
        3,
        "list-of-lines",
        WHOLE_FILE,
        (
            CSV_LINES,
            '            rows = ["n,square\\n"]\n'
            "            for n in range(1, count + 1):\n"
            '                rows.append(f"{n},{n * n}\\n")\n'
            "            for row in rows:\n"
            "                yield row\n",
        ),
    ),
    nb(
        "11",
        3,
        "count-not-in-finally",
        COUNT_NOT_IN_FINALLY,
        (
            "        try:\n" + CSV_LINES + "        finally:\n"
            '            OPEN["exports"] -= 1\n',
            CSV_LINES.replace("    ", "", 1).replace("\n    ", "\n")
            + '        OPEN["exports"] -= 1\n',
        ),
    ),
    nb(
        "11",
        3,
        "line-without-newline",
        LINE_WITHOUT_NEWLINE,
        (
            '                yield f"{n},{n * n}\\n"\n',
            '                yield f"{n},{n * n}"\n',
        ),
    ),
    nb(
        "11",
        3,
        "function-not-called",
        FUNCTION_NOT_CALLED,
        (
            'return StreamingResponse(lines(), media_type="text/csv"',
            'return StreamingResponse(lines, media_type="text/csv"',
        ),
    ),
    pkg(
        "11",
        3,
        "jsonl-no-newline",
        JSONL_NO_NEWLINE,
        "nanoapi/routing.py",
        "test_generators.py::test_the_expected_bodies",
        (
            'lines = mapped(items, lambda item: self.item_json(item) + b"\\n")',
            "lines = mapped(items, self.item_json)",
        ),
    ),
    pkg(
        "11",
        3,
        "sse-one-data-line",
        SSE_ONE_DATA_LINE,
        "nanoapi/sse.py",
        "test_generators.py::test_format_sse_event",
        (
            '        lines += [f"data: {line}" for line in lines_of(data_str)]\n',
            '        lines.append(f"data: {data_str}")\n',
        ),
    ),
    nb(
        "11",
        4,
        "not-watching",
        NOT_WATCHING,
        (
            STREAM_TASKS,
            "    try:\n        await sending()\n    finally:\n        await chunks.aclose()\n",
        ),
    ),
    pkg(
        "11",
        4,
        "not-watching",
        NOT_WATCHING,
        "nanoapi/responses.py",
        "test_generators.py::test_an_idle_stream_stops_when_its_client_leaves",
        (
            "        streaming = asyncio.ensure_future(self.stream(send))\n"
            "        watching = asyncio.ensure_future(disconnected(receive))\n",
            "        streaming = asyncio.ensure_future(self.stream(send))\n"
            "        watching = asyncio.ensure_future(asyncio.Event().wait())\n",
        ),
    ),
    nb(
        "11",
        4,
        "first-message",
        FIRST_MESSAGE,
        (
            '        while (await receive())["type"] != "http.disconnect":\n'
            "            pass\n",
            "        await receive()\n",
        ),
    ),
    nb(
        "11",
        4,
        "no-aclose",
        NO_ACLOSE,
        ("        await chunks.aclose()\n", ""),
    ),
    pkg(
        "11",
        4,
        "no-aclose",
        NO_ACLOSE,
        "nanoapi/responses.py",
        "test_generators.py::test_a_cleanup_cut_short_is_finished",
        (
            "        finally:  # stopped early, the iterator is closed now, not when collected\n"
            "            await close_fully(self.body_iterator)\n",
            "        finally:\n            pass\n",
        ),
    ),
    nb(
        "11",
        4,
        "close-too-soon",
        CLOSE_TOO_SOON,
        (
            "            task.cancel()\n        await asyncio.wait(tasks)\n",
            "            task.cancel()\n",
        ),
    ),
    nb(
        "11",
        4,
        "no-last-piece",
        NO_LAST_PIECE,
        (
            '            await send({"type": "http.response.body", "body": b"", "more_body": False})\n',
            "",
        ),
    ),
    pkg(
        "11",
        4,
        "no-turn",
        NO_TURN,
        "nanoapi/responses.py",
        "test_stream_cleanup.py::test_a_client_leaving_a_busy_stream_stops_it",
        ("                await asyncio.sleep(0)\n", ""),
    ),
]

MISTAKES += CHAPTER_11
