"""Chapter 09 demo: the notes service, written as FastAPI's tutorial writes it.

Every name comes from our package under FastAPI's names, and the service uses
the long tail this chapter adds: a parameter model, a router whose options
every route inherits, a custom route class, the document's metadata, a
webhook. Serve it with our server or with uvicorn:
    python -m nanoapi app:app --app-dir chapters/09_dropin
    uvicorn --app-dir chapters/09_dropin app:app
and open http://127.0.0.1:8000/docs (offline, as in chapter 07).

  GET    /                 a greeting
  POST   /echo             the request body, sent back as it arrived
  POST   /json             any JSON body, echoed back (422 when it is not JSON)
  GET    /notes            ?page=&size=&order_by=: a parameter model (NoteQuery)
  GET    /notes/{note_id}  a note, or the router's documented 404
  POST   /notes            create a note; needs the X-Token header
  GET    /audit            what the background tasks wrote
"""

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from nanoapi import (
    APIRouter,
    BackgroundTasks,
    Body,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Query,
    Request,
    Response,
    status,
)
from nanoapi.responses import PlainTextResponse
from nanoapi.routing import APIRoute

NOTES: dict[int, str] = {1: "buy milk", 2: "call Sam", 3: "water the plants"}
AUDIT: list[str] = []
USERS = {"secret-token": "ada"}


class TimedRoute(APIRoute):
    """A custom route class: its handler says how long it took."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def timed(request: Request) -> Response:
            start = time.perf_counter()
            response = await handler(request)
            elapsed = time.perf_counter() - start
            response.headers["x-response-time"] = f"{elapsed * 1000:.1f}ms"
            return response

        return timed


class NoteQuery(BaseModel):
    """The query parameters of `GET /notes`, as one model."""

    model_config = {"extra": "forbid"}  # an unknown parameter is a 422

    page: int = Field(1, ge=1)
    size: int = Field(10, ge=1, le=100)
    order_by: Literal["id", "text"] = "id"


class NoteIn(BaseModel):
    text: str


class NoteOut(BaseModel):
    id: int
    text: str


def current_user(x_token: Annotated[str, Header()]) -> str:
    if x_token not in USERS:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Unknown token")
    return USERS[x_token]


app = FastAPI(
    title="Notes",
    version="1.0.0",
    summary="A tiny notes service.",
    description="The notes service of the workshop, as FastAPI's tutorial writes it.",
    contact={"name": "The workshop", "url": "https://example.org/workshop"},
    license_info={"name": "MIT", "identifier": "MIT"},
    openapi_tags=[
        {"name": "notes", "description": "Write things down, read them again."},
        {"name": "tools", "description": "Small helpers."},
    ],
)
notes = APIRouter(
    prefix="/notes",
    tags=["notes"],
    responses={404: {"description": "No such note"}},  # every route gets it
    route_class=TimedRoute,
)


@app.get("/", include_in_schema=False)
async def home() -> PlainTextResponse:
    return PlainTextResponse("Hello, ASGI!")


@app.post("/echo", include_in_schema=False)
async def echo(request: Request) -> Response:
    return Response(await request.body(), media_type="text/plain")


@app.post("/json", tags=["tools"], summary="Echo any JSON")
async def parse_json(data: Annotated[Any, Body()]) -> dict[str, Any]:
    """Send any JSON document; it comes back under `received`."""
    return {"received": data}


@notes.get("")
def list_notes(query: Annotated[NoteQuery, Query()]) -> list[NoteOut]:
    """The notes, a page at a time, in the order asked for."""
    found = sorted(
        NOTES.items(), key=lambda item: item[0 if query.order_by == "id" else 1]
    )
    start = (query.page - 1) * query.size
    return [NoteOut(id=i, text=text) for i, text in found[start : start + query.size]]


@notes.get("/{note_id}")
def read_note(note_id: int) -> NoteOut:
    if note_id not in NOTES:
        raise HTTPException(404, detail="No such note")
    return NoteOut(id=note_id, text=NOTES[note_id])


@notes.post("", status_code=201, responses={401: {"description": "Unknown token"}})
def create_note(
    note: NoteIn,
    user: Annotated[str, Depends(current_user)],
    tasks: BackgroundTasks,
) -> NoteOut:
    """Create a note; needs a valid `X-Token` header. Subscribers hear of it."""
    note_id = max(NOTES) + 1
    NOTES[note_id] = note.text
    tasks.add_task(AUDIT.append, f"{user} created note {note_id}")
    return NoteOut(id=note_id, text=note.text)


@app.get("/audit", tags=["tools"])
def audit() -> list[str]:
    """What the background tasks wrote."""
    return AUDIT


@app.webhooks.post("note-created")
def note_created(note: NoteOut) -> None:
    """What we POST to a subscriber when a note is created (documented only)."""


app.include_router(notes)
