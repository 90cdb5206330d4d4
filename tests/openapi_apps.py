"""Apps whose OpenAPI documents are compared with FastAPI's, written once
against `api` (FastAPI's names or ours)."""

import enum
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, Field


class Kind(enum.Enum):
    BOOK = "book"
    GAME = "game"


class Tag(BaseModel):
    label: str = Field(min_length=1, description="A short word")


class Item(BaseModel):
    """Something for sale.\f

    Everything after the form feed stays out of the document.
    """

    name: str
    price: float = Field(gt=0)
    kind: Kind = Kind.BOOK
    tags: list[Tag] = []
    notes: str | None = None


class ItemOut(BaseModel):
    id: int
    name: str
    picture: bytes | None = None  # octets in a string, as FastAPI documents them


def shop(api):
    app = api.App()

    @app.get("/items", tags=["items"])
    def list_items(
        q: Annotated[str | None, api.Query(max_length=20, description="Search")] = None,
        page: int = 1,
        tag: Annotated[list[str] | None, api.Query()] = None,
    ) -> list[ItemOut]:
        """List the items.

        Supports paging.
        """
        return []

    @app.get(
        "/items/{item_id}",
        response_model=ItemOut,
        tags=["items"],
        responses={404: {"description": "No such item"}, 418: {}},
    )
    async def read_item(
        item_id: int, x_trace: Annotated[str | None, api.Header()] = None
    ):
        return {"id": item_id, "name": "x"}

    @app.post("/items", status_code=201, tags=["items"], summary="Create one item")
    def create_item(item: Item) -> ItemOut:
        return ItemOut(id=1, name=item.name)

    @app.put("/items/{item_id}")
    def replace_item(
        item_id: uuid.UUID,
        item: Item,
        note: Annotated[str, api.Body()],
        session: Annotated[str | None, api.Cookie()] = None,
    ):
        return {}

    @app.patch("/items/{item_id}/kind")
    def set_kind(item_id: int, kind: Annotated[Kind, api.Body(embed=True)]):
        return {}

    @app.delete("/items/{item_id}", status_code=204, deprecated=True)
    def delete_item(item_id: int):
        return None

    @app.get("/page", response_class=api.HTMLResponse)
    def page():
        return "<p>hi</p>"

    @app.get("/robots.txt", response_class=api.PlainTextResponse)
    def robots():
        return "User-agent: *"

    @app.get("/health", include_in_schema=False)
    def health():
        return {"ok": True}

    @app.get("/raw")
    def raw(data: Annotated[dict[str, Any], api.Body()]):
        return data

    return app


def with_dependencies(api):
    app = api.App()

    def paging(page: int = 1, size: Annotated[int, api.Query(le=100)] = 10):
        return {"page": page, "size": size}

    def token(x_token: Annotated[str, api.Header()]):
        return x_token

    router = api.APIRouter(prefix="/users", tags=["users"])

    class UserIn(BaseModel):
        name: str

    @router.get("/", dependencies=[api.Depends(token)])
    def list_users(paging: Annotated[dict, api.Depends(paging)]):
        return []

    @router.post("/{user_id}/rename")
    def rename(user_id: int, user: UserIn, token: Annotated[str, api.Depends(token)]):
        return {}

    @app.get("/")
    def root():
        return {}

    app.include_router(router, prefix="/v1")
    return app


def extra_responses(api):
    app = api.App()

    class Problem(BaseModel):
        message: str

    @app.get(
        "/things/{thing_id}",
        responses={
            404: {"model": Problem, "description": "No such thing"},
            "4XX": {"description": "Something else went wrong"},
            200: {"description": "The thing", "headers": {"X-Rate": {"schema": {}}}},
        },
    )
    def read_thing(
        thing_id: int,
        fields: Annotated[str | None, api.Query(title="Field list")] = None,
    ):
        return {}

    @app.post("/things", responses={"default": {"model": Problem}})
    def create_thing(thing: Tag):
        return {}

    @app.get("/plain", response_class=api.PlainTextResponse, responses={418: {}})
    def plain():
        return "hi"

    return app


BUILDERS = [shop, with_dependencies, extra_responses]
