"""Chapter 09: what routers hand down to their routes, compared with FastAPI.

`APIRouter(...)` and `include_router(...)` take the same options (tags,
dependencies, responses, callbacks, deprecated, include_in_schema,
default_response_class, generate_unique_id_function), and a route ends up
with all the layers merged: lists outer first, responses outer first with
the route's last, a class or id function from the innermost layer that has
one. Each case builds one app against `api`; the documents and the answers
must be FastAPI's.
"""

from typing import Annotated

import pytest
from oracle import compare, fastapi_namespace, package_namespace
from pydantic import BaseModel

pytestmark = pytest.mark.anyio


class Item(BaseModel):
    name: str
    price: float = 0


class Message(BaseModel):
    message: str


def by_tag(route) -> str:
    return f"{route.tags[0]}-{route.name}"


def nested_routers(api):
    """Three layers of routers, each with its own options, in one app."""

    async def token(x_token: Annotated[str, api.Header()]):
        if x_token != "secret":
            raise api.HTTPException(400, "bad token")

    app = api.App()
    items = api.APIRouter(
        prefix="/items",
        tags=["items"],
        responses={404: {"description": "Not found"}},
        dependencies=[api.Depends(token)],
    )

    @items.get("/")
    def list_items():
        return "<p>a, b</p>"

    @items.put("/{item_id}", responses={403: {"description": "Forbidden"}})
    def update_item(item_id: str, item: Item):
        return f"<p>{item_id}: {item.name}</p>"

    @items.get("/page", response_class=api.PlainTextResponse)
    def page_text():
        return "text, whatever the router says"

    shop = api.APIRouter(prefix="/shop", tags=["shop"], deprecated=True)
    shop.include_router(
        items,
        responses={418: {"description": "I'm a teapot"}, 404: {"model": Message}},
        default_response_class=api.HTMLResponse,
    )

    @shop.get("/hidden", include_in_schema=True)
    def hidden():
        return {}

    admin = api.APIRouter()

    @admin.get("")  # the include's prefix completes the path
    def admin_home():
        return {"admin": True}

    @admin.post("/", status_code=201)
    def admin_root(item: Item):
        return item

    app.include_router(shop, prefix="/v1", tags=["v1"])
    app.include_router(admin, prefix="/admin", include_in_schema=False)
    app.include_router(shop, prefix="/v2", responses={404: {"description": "Gone"}})
    return app


def unique_ids(api):
    """The id function of the innermost layer that has one names the
    operation and the models FastAPI makes for it (`Body_...`, `Response_...`)."""
    app = api.App(generate_unique_id_function=by_tag)

    def by_path(route) -> str:
        return route.path_format.strip("/").replace("/", "_") or "root"

    @app.post("/items", tags=["items"], response_model=list[Item])
    def create_items(item: Item, note: Annotated[str, api.Body()]):
        return [item]

    @app.get("/named", tags=["x"], operation_id="chosen", response_model=Item)
    def named():
        return {"name": "n"}

    router = api.APIRouter(
        tags=["users"],
        generate_unique_id_function=by_path,
        default_response_class=api.PlainTextResponse,
    )

    @router.post("/users/{user_id}", responses={404: {"model": Message}})
    def create_user(user_id: int, item: Item, count: Annotated[int, api.Body()]):
        return item

    @router.get("/own", generate_unique_id_function=lambda route: "own-id")
    def own():
        return {}

    plain = api.APIRouter(tags=["plain"])

    @plain.get("/plain", response_model=Message)
    def plain_route():
        return {"message": "hi"}

    app.include_router(router)
    app.include_router(plain, prefix="/inc", generate_unique_id_function=by_path)
    app.include_router(plain, prefix="/app")  # the app's function
    return app


def openapi_extra(api):
    """`openapi_extra` is deep-merged into the operation: new keys, a
    hand-written requestBody for a handler that reads the body itself,
    parameters appended to the ones found in the signature."""
    app = api.App()

    @app.get("/items/", openapi_extra={"x-aperture-labs-portal": "blue"})
    def read_items():
        return [{"item_id": "portal-gun"}]

    extra_body = {
        "requestBody": {
            "content": {"application/json": {"schema": {"type": "object"}}},
            "required": True,
        },
        "parameters": [{"name": "x-trace", "in": "header", "schema": {}}],
        "responses": {"200": {"description": "The raw size"}},
    }

    @app.post("/raw", openapi_extra=extra_body)
    async def raw(request: api.Request, q: int = 0):
        return {"size": len(await request.body()), "q": q}

    return app


def callbacks(api):
    """Routes documented under an operation's `callbacks`: their paths are
    OpenAPI expressions, and they are never served."""
    app = api.App()
    callback_router = api.APIRouter()

    class Event(BaseModel):
        description: str
        paid: bool

    @callback_router.post(
        "{$callback_url}/invoices/{$request.body.id}", response_model=Message
    )
    def invoice_notification(body: Event):
        pass

    audit_router = api.APIRouter()

    @audit_router.put("{$request.query.audit_url}")
    def audit(body: Item):
        pass

    @app.post("/invoices/", callbacks=callback_router.routes)
    def create_invoice(item: Item, callback_url: str | None = None):
        return {"msg": "Invoice received"}

    refund_router = api.APIRouter()

    @refund_router.post("{$request.body#/refund_url}", status_code=202)
    def refund(amount: Annotated[float, api.Body(embed=True)]):
        pass

    router = api.APIRouter(callbacks=audit_router.routes)

    @router.get("/audited", callbacks=refund_router.routes)
    def audited():
        return {}

    app.include_router(router)
    return app


BUILDERS = [nested_routers, unique_ids, openapi_extra, callbacks]


@pytest.mark.parametrize("build", BUILDERS, ids=[b.__name__ for b in BUILDERS])
def test_the_document_equals_fastapis(pkg, build):
    theirs = build(fastapi_namespace()).openapi()
    ours = build(package_namespace(pkg)).openapi()
    assert ours == theirs


GOOD = {"x-token": "secret"}
ANSWERS = {
    nested_routers: [
        {"method": "GET", "url": "/v1/shop/items/", "headers": GOOD},
        {"method": "GET", "url": "/v1/shop/items/"},
        {"method": "GET", "url": "/v1/shop/items/", "headers": {"x-token": "no"}},
        {
            "method": "PUT",
            "url": "/v2/shop/items/3",
            "headers": GOOD,
            "json": {"name": "b", "price": 2},
        },
        {"method": "GET", "url": "/v2/shop/items/page", "headers": GOOD},
        {"method": "GET", "url": "/v1/shop/hidden"},
        {"method": "GET", "url": "/admin"},
        {"method": "POST", "url": "/admin/", "json": {"name": "c"}},
        {"method": "POST", "url": "/admin/", "json": {}},
    ],
    openapi_extra: [
        {"method": "GET", "url": "/items/"},
        {"method": "POST", "url": "/raw?q=2", "content": b"12345"},
    ],
    callbacks: [
        {"method": "POST", "url": "/invoices/", "json": {"name": "x"}},
        {"method": "GET", "url": "/audited"},
    ],
}


@pytest.mark.parametrize("build", list(ANSWERS), ids=[b.__name__ for b in ANSWERS])
async def test_the_answers_equal_fastapis(pkg, build):
    for theirs, ours in await compare(build, pkg, ANSWERS[build]):
        assert ours.view() == theirs.view()


def test_routers_take_fastapis_options_and_no_others(pkg):
    """Options are declared: a misspelt one fails as it does in FastAPI,
    instead of passing silently for a default."""
    for api in (fastapi_namespace(), package_namespace(pkg)):
        router = api.APIRouter(responses={404: {}}, deprecated=True)
        with pytest.raises(TypeError):
            api.APIRouter(tagz=["typo"])
        with pytest.raises(TypeError):
            api.App().include_router(router, prefix="/x", responsez={})
