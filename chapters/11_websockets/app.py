"""Chapter 11 demo: the notes service, live: a chat room and streamed notes.

Chapter 10's service (a login, notes, uploads), plus what stays open: a chat
room over WebSocket with its page at /chat, the notes as a streamed download
(JSON lines), and as server-sent events that go on with each new note. Serve
it with our server or with uvicorn:
    python -m nanoapi app:app --app-dir chapters/11_websockets
    uvicorn --app-dir chapters/11_websockets app:app
and open http://127.0.0.1:8000/chat in two tabs, or /docs (offline, as in
chapter 07: "Authorize" with ada / lovelace).

  GET    /                 a greeting
  POST   /echo             the request body, sent back as it arrived
  POST   /json             any JSON body, echoed back (422 when it is not JSON)
  GET    /notes            ?page=&size=&order_by=: a parameter model (NoteQuery)
  GET    /notes/export     every note, streamed as JSON lines
  GET    /notes/events     server-sent events: each note, then each new one
  GET    /notes/{note_id}  a note, or the router's documented 404
  POST   /notes            create a note; needs a bearer token
  POST   /notes/{note_id}/attachment   upload a file to a note (and a caption)
  POST   /token            the password flow: a form in, a bearer token out
  GET    /users/me         who the bearer token belongs to
  GET    /audit            what the background tasks wrote
  GET    /chat             the chat room's page; WS /chat/ws?name= is the room
"""

import asyncio
import secrets
import time
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from nanoapi import (
    APIRouter,
    BackgroundTasks,
    Body,
    Depends,
    FastAPI,
    Form,
    Header,
    HTTPException,
    Query,
    Request,
    Response,
    UploadFile,
    WebSocket,
    WebSocketDisconnect,
    status,
)
from nanoapi.responses import HTMLResponse, PlainTextResponse
from nanoapi.routing import APIRoute
from nanoapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from nanoapi.sse import EventSourceResponse, ServerSentEvent

NOTES: dict[int, str] = {1: "buy milk", 2: "call Sam", 3: "water the plants"}
AUDIT: list[str] = []
PASSWORDS = {"ada": "lovelace", "sam": "hunter2"}  # a demo: never store these
TOKENS: dict[str, str] = {}  # bearer token -> user name, filled by POST /token
ATTACHMENTS: dict[int, dict[str, Any]] = {}  # what was uploaded, not the bytes
LISTENERS: set[asyncio.Queue["NoteOut"]] = set()  # one per open GET /notes/events


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


class Room:
    """The chat room: who is in it, and saying something to all of them."""

    def __init__(self) -> None:
        self.members: dict[WebSocket, str] = {}

    async def join(self, websocket: WebSocket, name: str) -> None:
        await websocket.accept()
        self.members[websocket] = name
        await self.say(f"{name} joined")

    async def leave(self, websocket: WebSocket) -> None:
        name = self.members.pop(websocket, None)
        if name is not None:
            await self.say(f"{name} left")

    async def say(self, text: str) -> None:
        for member in list(self.members):
            try:
                await member.send_text(text)
            except (WebSocketDisconnect, RuntimeError):  # gone; its own loop ends
                self.members.pop(member, None)


room = Room()
CHAT_PAGE = """<!doctype html>
<html>
<head><meta charset="utf-8"><title>Notes chat</title></head>
<body>
<h1>Notes chat</h1>
<form id="join"><input id="name" placeholder="your name" autocomplete="off">
<button>Join</button></form>
<form id="say" hidden><input id="text" autocomplete="off"><button>Send</button></form>
<p id="status">not connected</p>
<ul id="messages"></ul>
<script>
let ws = null;
const show = (text) => {
  const item = document.createElement("li");
  item.textContent = text;
  document.getElementById("messages").appendChild(item);
};
document.getElementById("join").onsubmit = (event) => {
  event.preventDefault();
  const name = encodeURIComponent(document.getElementById("name").value);
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  ws = new WebSocket(`${scheme}://${location.host}/chat/ws?name=${name}`);
  ws.onopen = () => {
    document.getElementById("status").textContent = "connected";
    document.getElementById("join").hidden = true;
    document.getElementById("say").hidden = false;
  };
  ws.onmessage = (message) => show(message.data);
  ws.onclose = (closed) => {
    document.getElementById("status").textContent = `closed ${closed.code}`;
  };
};
document.getElementById("say").onsubmit = (event) => {
  event.preventDefault();
  const input = document.getElementById("text");
  ws.send(input.value);
  input.value = "";
};
</script>
</body>
</html>
"""


async def publish(note: "NoteOut") -> None:
    """Tell every open event stream about a new note (a background task)."""
    for listener in LISTENERS:
        listener.put_nowait(note)


class Attachment(BaseModel):
    note_id: int
    filename: str | None
    content_type: str | None
    size: int
    caption: str


# A security scheme is a dependency: it reads the Authorization header (401
# when it is missing) and puts "OAuth2PasswordBearer" in the document, which is
# what lights up the Authorize button of /docs.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> str:
    if token not in TOKENS:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Unknown token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return TOKENS[token]


app = FastAPI(
    title="Notes",
    version="1.0.0",
    summary="A tiny notes service.",
    description="The notes service of the workshop, as FastAPI's tutorial writes it.",
    contact={"name": "The workshop", "url": "https://example.org/workshop"},
    license_info={"name": "MIT", "identifier": "MIT"},
    openapi_tags=[
        {"name": "notes", "description": "Write things down, read them again."},
        {"name": "users", "description": "Log in, and say who you are."},
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


@notes.get("/export")
async def export_notes() -> AsyncIterable[NoteOut]:
    """Every note, streamed as JSON lines (`application/jsonl`), one at a time."""
    for note_id, text in sorted(NOTES.items()):
        yield NoteOut(id=note_id, text=text)


@notes.get("/events", response_class=EventSourceResponse)
async def note_events(
    last_event_id: Annotated[int | None, Header()] = None,
) -> AsyncIterable[ServerSentEvent]:
    """Each note as an event, then each new one as it is created: the stream
    stays open. A browser that reconnects sends `Last-Event-ID` and gets only
    the notes after it."""
    listener: asyncio.Queue[NoteOut] = asyncio.Queue()
    LISTENERS.add(listener)
    try:
        for note_id, text in sorted(NOTES.items()):
            if last_event_id is None or note_id > last_event_id:
                note = NoteOut(id=note_id, text=text)
                yield ServerSentEvent(data=note, event="note", id=str(note_id))
        while True:
            note = await listener.get()
            yield ServerSentEvent(data=note, event="note", id=str(note.id))
    finally:  # the client has gone: the stream stops here
        LISTENERS.discard(listener)


@notes.get("/{note_id}")
def read_note(note_id: int) -> NoteOut:
    if note_id not in NOTES:
        raise HTTPException(404, detail="No such note")
    return NoteOut(id=note_id, text=NOTES[note_id])


@notes.post("", status_code=201, responses={401: {"description": "Not logged in"}})
def create_note(
    note: NoteIn,
    user: Annotated[str, Depends(current_user)],
    tasks: BackgroundTasks,
) -> NoteOut:
    """Create a note; needs a bearer token (POST /token). Subscribers hear of it."""
    note_id = max(NOTES) + 1
    NOTES[note_id] = note.text
    tasks.add_task(AUDIT.append, f"{user} created note {note_id}")
    created = NoteOut(id=note_id, text=note.text)
    tasks.add_task(publish, created)
    return created


@notes.post(
    "/{note_id}/attachment",
    status_code=201,
    responses={401: {"description": "Not logged in"}},
)
async def attach(
    note_id: int,
    file: UploadFile,
    caption: Annotated[str, Form(max_length=200)],
    user: Annotated[str, Depends(current_user)],
) -> Attachment:
    """Upload a file to a note. Its bytes are counted, a chunk at a time, and
    dropped: the demo keeps only what it was."""
    if note_id not in NOTES:
        raise HTTPException(404, detail="No such note")
    size = 0
    while chunk := await file.read(64 * 1024):
        size += len(chunk)
    found = Attachment(
        note_id=note_id,
        filename=file.filename,
        content_type=file.content_type,
        size=size,
        caption=caption,
    )
    ATTACHMENTS[note_id] = found.model_dump()
    return found


@app.post("/token", tags=["users"], responses={400: {"description": "Wrong login"}})
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    """The password flow: a form with `username` and `password` in, a bearer
    token out (what /docs' Authorize button posts)."""
    if PASSWORDS.get(form.username) != form.password:
        raise HTTPException(400, detail="Incorrect username or password")
    token = secrets.token_urlsafe(16)
    TOKENS[token] = form.username
    return {"access_token": token, "token_type": "bearer"}


@app.get("/users/me", tags=["users"], responses={401: {"description": "Not logged in"}})
def me(user: Annotated[str, Depends(current_user)]) -> dict[str, str]:
    """Who the bearer token belongs to."""
    return {"username": user}


@app.get("/audit", tags=["tools"])
def audit() -> list[str]:
    """What the background tasks wrote."""
    return AUDIT


@app.get("/chat", include_in_schema=False)
def chat_page() -> HTMLResponse:
    return HTMLResponse(CHAT_PAGE)


@app.websocket("/chat/ws")
async def chat(
    websocket: WebSocket, name: Annotated[str, Query(min_length=1, max_length=20)]
) -> None:
    """The chat room: what one member sends, every member receives. A missing
    or too long name closes the handshake with 1008 (a policy violation)."""
    await room.join(websocket, name)
    try:
        async for text in websocket.iter_text():
            await room.say(f"{name}: {text}")
    finally:
        await room.leave(websocket)


@app.webhooks.post("note-created")
def note_created(note: NoteOut) -> None:
    """What we POST to a subscriber when a note is created (documented only)."""


app.include_router(notes)
