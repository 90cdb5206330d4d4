"""Chapter 05 demo: the handlers' signatures are now the API's contract.

Serve it with:  uvicorn --app-dir chapters/05_validation app:app

  GET    /                  a greeting
  POST   /echo              the request body, sent back as it arrived
  POST   /json              any JSON body, echoed back (422 when it is not JSON)
  GET    /items             ?q=...&tag=a&tag=b&limit=10: query parameters
  GET    /items/{item_id}   an int path parameter (422 for /items/abc)
  POST   /items             a JSON body validated by the Item model; 201
  PUT    /items/{item_id}   a body with two embedded parts: item and note
  GET    /me                a header and a cookie; sets a cookie in reply
  GET    /users/{name}      a response_model that hides the password
  GET    /page              an HTML page (response_class)
  GET    /slow              a plain `def` handler: it runs in the thread pool
"""

import time
from typing import Annotated, Any

from pydantic import BaseModel, Field

from nanoapi import (
    App,
    Body,
    Cookie,
    Header,
    HTMLResponse,
    Path,
    PlainTextResponse,
    Query,
    Request,
    Response,
    status,
)

app = App()
ITEMS: dict[int, dict[str, Any]] = {1: {"name": "kettle", "price": 25.0, "tags": []}}


class Item(BaseModel):
    name: str = Field(min_length=1)
    price: float = Field(gt=0)
    tags: list[str] = []


class UserOut(BaseModel):
    name: str
    email: str


@app.get("/")
async def home() -> PlainTextResponse:
    return PlainTextResponse("Hello, ASGI!")


@app.post("/echo")
async def echo(request: Request) -> Response:
    return Response(await request.body(), media_type="text/plain")


@app.post("/json")
async def parse_json(data: Annotated[Any, Body()]) -> dict[str, Any]:
    return {"received": data}


@app.get("/items")
async def list_items(
    q: Annotated[str | None, Query(max_length=50)] = None,
    tag: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies defaults
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
):
    found = [
        {"id": item_id, **item}
        for item_id, item in ITEMS.items()
        if (q is None or q in item["name"]) and set(tag) <= set(item["tags"])
    ]
    return {"items": found[:limit], "query": q, "tags": tag}


@app.get("/items/{item_id}")
async def read_item(item_id: Annotated[int, Path(ge=1)]):
    return {"id": item_id, **ITEMS.get(item_id, {"name": None})}


@app.post("/items", status_code=status.HTTP_201_CREATED)
async def create_item(item: Item) -> dict[str, Any]:
    item_id = max(ITEMS) + 1
    ITEMS[item_id] = item.model_dump()
    return {"id": item_id, **ITEMS[item_id]}


@app.put("/items/{item_id}")
async def replace_item(item_id: int, item: Item, note: Annotated[str, Body()] = ""):
    ITEMS[item_id] = item.model_dump()
    return {"id": item_id, "item": item, "note": note}


@app.get("/me")
async def me(
    response: Response,
    user_agent: Annotated[str | None, Header()] = None,
    visits: Annotated[int, Cookie()] = 0,
):
    response.set_cookie("visits", str(visits + 1))
    return {"user_agent": user_agent, "visits": visits + 1}


@app.get("/users/{name}", response_model=UserOut)
async def read_user(name: str):
    return {"name": name, "email": f"{name}@example.org", "password": "hidden"}


@app.get("/page", response_class=HTMLResponse)
async def page():
    return "<h1>Items</h1><p>See <a href='/items'>/items</a>.</p>"


@app.get("/slow")
def slow(seconds: Annotated[float, Query(ge=0, le=1)] = 0.1):
    time.sleep(seconds)  # blocks a worker thread, not the event loop
    return {"slept": seconds}
