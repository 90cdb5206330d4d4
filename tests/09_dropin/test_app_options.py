"""Chapter 09: the App's long tail of documentation options, against FastAPI.

Metadata (`summary`, `terms_of_service`, `contact`, `license_info`,
`openapi_tags`, `servers`), `webhooks`, `separate_input_output_schemas`,
`default_response_class`, bytes sent as base64, `root_path`, the Swagger UI
parameters, and `get_openapi` called with FastAPI's keywords: the same app
built on both sides must give the same document and the same answers.
"""

import re

import fastapi.openapi.utils
import httpx
import pytest
from oracle import ask, compare, fastapi_namespace, package_namespace
from pydantic import BaseModel, computed_field

pytestmark = pytest.mark.anyio


class Item(BaseModel):
    name: str
    description: str | None = None  # optional on input, always sent on output


class Priced(BaseModel):
    price: float

    @computed_field
    @property
    def with_tax(self) -> float:  # only on output
        return self.price * 1.2


class Upload(BaseModel):
    data: bytes
    model_config = {"val_json_bytes": "base64"}


class Download(BaseModel):
    data: bytes
    model_config = {"ser_json_bytes": "base64"}


class Raw(BaseModel):
    data: bytes  # no encoding said: plain octets


def metadata(api):
    app = api.App(
        title="Shop",
        summary="Sells things",
        description="Long text",
        version="2.0",
        terms_of_service="https://example.com/terms/",
        contact={"name": "Desk", "url": "https://example.com/desk", "email": "a@b.co"},
        license_info={"name": "Apache 2.0", "identifier": "Apache-2.0"},
        openapi_tags=[
            {"name": "items", "description": "The **items**."},
            {"name": "docs", "externalDocs": {"url": "https://example.com/docs"}},
        ],
        servers=[{"url": "https://stag.example.com", "description": "Staging"}],
    )

    @app.get("/items", tags=["items"])
    def items():
        return []

    return app


def webhooks(api):
    """Routes documented under `webhooks`: the requests the app sends."""
    app = api.App()

    @app.webhooks.post("new-item")
    def new_item(body: Item):
        """Sent when an item is created."""

    @app.webhooks.put("price-changed", response_model=Priced)
    def price_changed(body: Priced, attempt: int = 1):
        pass

    @app.get("/items")
    def items() -> list[Item]:
        return []

    return app


def one_schema_per_model(api):
    """`separate_input_output_schemas=False`: Item, not Item-Input/-Output."""
    app = api.App(separate_input_output_schemas=False)

    @app.post("/items")
    def create(item: Item, priced: Priced) -> list[Item]:
        return [item]

    @app.get("/priced", responses={201: {"model": Priced}})
    def priced() -> Priced:
        return Priced(price=1)

    return app


def base64_bytes(api):
    app = api.App()

    @app.post("/upload")
    def upload(body: Upload) -> Download:
        return Download(data=body.data)

    @app.post("/raw")
    def raw(body: Raw) -> Raw:
        return body

    return app


def html_by_default(api):
    app = api.App(default_response_class=api.HTMLResponse)

    @app.get("/page")
    def page():
        return "<h1>Items</h1>"

    @app.get("/json", response_class=api.JSONResponse)
    def json_page():
        return {"not": "html"}

    @app.get("/model", response_model=Item)
    def model():
        return Item(name="<b>x</b>")

    return app


BUILDERS = [
    metadata,
    webhooks,
    one_schema_per_model,
    base64_bytes,
    html_by_default,
]


@pytest.mark.parametrize("build", BUILDERS, ids=[b.__name__ for b in BUILDERS])
def test_the_document_equals_fastapis(pkg, build):
    theirs = build(fastapi_namespace()).openapi()
    ours = build(package_namespace(pkg)).openapi()
    assert ours == theirs


ANSWERS = {
    webhooks: [
        {"method": "GET", "url": "/items"},
        {"method": "POST", "url": "/new-item", "json": {"name": "a"}},
    ],
    html_by_default: [
        {"method": "GET", "url": "/page"},
        {"method": "GET", "url": "/json"},
        {"method": "GET", "url": "/model"},
    ],
}


@pytest.mark.parametrize("build", list(ANSWERS), ids=[b.__name__ for b in ANSWERS])
async def test_the_answers_equal_fastapis(pkg, build):
    for theirs, ours in await compare(build, pkg, ANSWERS[build]):
        assert ours.view() == theirs.view()


async def documents_under(app, root_path: str) -> dict:
    transport = httpx.ASGITransport(app=app, root_path=root_path)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        return (await c.get(root_path + "/openapi.json")).json()


@pytest.mark.parametrize("in_servers", [True, False])
@pytest.mark.parametrize("servers", [None, [{"url": "/api"}, {"url": "https://b"}]])
async def test_the_root_path_is_the_first_server(pkg, in_servers, servers):
    """Asked under a root path, /openapi.json lists it first (unless the app
    says `root_path_in_servers=False`, or lists it already)."""
    sides = fastapi_namespace(), package_namespace(pkg)
    apps = [api.App(servers=servers, root_path_in_servers=in_servers) for api in sides]
    for root_path in ("", "/api", "/api/v1"):
        theirs, ours = [await documents_under(app, root_path) for app in apps]
        assert ours == theirs


async def test_a_mounted_app_is_served_from_its_mount_path(pkg):
    def build(api):
        app, sub = api.App(), api.App()

        @sub.get("/sub")
        def read_sub():
            return {"message": "sub"}

        app.mount("/subapi", sub)
        return app

    for theirs, ours in await compare(
        build, pkg, [{"method": "GET", "url": "/subapi/openapi.json"}]
    ):
        assert ours.json() == theirs.json()
        assert ours.json()["servers"] == [{"url": "/subapi"}]


async def test_root_path_is_deprecated_and_still_set_on_every_request(pkg):
    def build(api):
        with pytest.warns(UserWarning, match="fastapi run --root-path"):
            app = api.App(root_path="/api/v1")

        @app.get("/app")
        def read_main(request: api.Request):
            return {"root_path": request.scope.get("root_path")}

        return app

    for theirs, ours in await compare(build, pkg, [{"method": "GET", "url": "/app"}]):
        assert ours.view() == theirs.view()
    assert issubclass(pkg.exceptions.FastAPIDeprecationWarning, UserWarning)


def config_lines(page: str) -> set[str]:
    """The `"key": value,` lines FastAPI writes into SwaggerUIBundle({...})."""
    return set(re.findall(r'^\s*("\w+": .*,)$', page, flags=re.MULTILINE))


@pytest.mark.parametrize(
    "parameters",
    [
        None,
        {"syntaxHighlight": False},
        {"syntaxHighlight": {"theme": "obsidian"}},
        {"deepLinking": False, "docExpansion": "none"},
    ],
)
async def test_swagger_ui_parameters_are_written_like_fastapis(pkg, parameters):
    def build(api):
        return api.App(swagger_ui_parameters=parameters)

    for theirs, ours in await compare(build, pkg, [{"method": "GET", "url": "/docs"}]):
        assert config_lines(ours.body.decode()) == config_lines(theirs.body.decode())
        assert "presets: [" in ours.body.decode()


def custom_openapi(api, get_openapi):
    """FastAPI's "extending OpenAPI": the app's document made by hand."""
    app = api.App()
    router = api.APIRouter()

    @app.get("/items/")
    async def read_items() -> list[Item]:
        return [Item(name="Foo")]

    @router.post("/hook")
    def hook(body: Priced):
        pass

    def openapi():
        if not app.openapi_schema:
            app.openapi_schema = get_openapi(
                title="Custom title",
                version="2.5.0",
                openapi_version="3.1.0",
                summary="A summary",
                description="Here's a longer description",
                routes=app.routes,
                webhooks=router.routes,
                tags=[{"name": "items"}],
                servers=[{"url": "https://example.com/v1"}],
                terms_of_service="https://example.com/terms",
                contact={"name": "Desk"},
                license_info={"name": "MIT", "url": "https://mit.edu/license"},
                separate_input_output_schemas=False,
                external_docs={"url": "https://example.com/docs"},
            )
            app.openapi_schema["info"]["x-logo"] = {"url": "https://x.png"}
        return app.openapi_schema

    app.openapi = openapi
    return app


async def test_get_openapi_takes_fastapis_keywords(pkg):
    requests = [{"method": "GET", "url": "/openapi.json"}]
    theirs = await ask(
        custom_openapi(fastapi_namespace(), fastapi.openapi.utils.get_openapi),
        requests,
    )
    ours = await ask(
        custom_openapi(package_namespace(pkg), pkg.openapi.utils.get_openapi),
        requests,
    )
    assert ours[0].json() == theirs[0].json()
    assert ours[0].json()["info"]["x-logo"] == {"url": "https://x.png"}
