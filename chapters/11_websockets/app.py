"""Chapter 08 demo: the same notes service, now on our own server too.

Serve it with our server (requirements.txt installs this chapter's package):
    python -m nanoapi app:app --app-dir chapters/08_server
or with uvicorn:  uvicorn --app-dir chapters/08_server app:app
and open http://127.0.0.1:8000/docs (Swagger UI) or /redoc (ReDoc): both work
with no internet. The document itself is at /openapi.json.

  GET    /                 a greeting
  POST   /echo             the request body, sent back as it arrived
  POST   /json             any JSON body, echoed back (422 when it is not JSON)
  GET    /notes            ?page=&size=: paging from a shared dependency
  GET    /notes/{note_id}  a note, read through a database session (yield)
  POST   /notes            create a note; needs the X-Token header; queues a
                           background task that writes to the audit log
  GET    /audit            what the background tasks wrote
  GET    /whoami           nested dependencies: token -> user
"""

from typing import Annotated, Any

from pydantic import BaseModel

from nanoapi import (
    APIRouter,
    App,
    BackgroundTasks,
    Body,
    Depends,
    Header,
    HTTPException,
    PlainTextResponse,
    Request,
    Response,
    status,
)

NOTES: dict[int, str] = {1: "buy milk", 2: "call Sam"}
AUDIT: list[str] = []
USERS = {"secret-token": "ada"}


class Session:
    """A stand-in for a database session: opened per request, then closed."""

    def __init__(self) -> None:
        self.closed = False
        self.committed = False


def get_session():
    session = Session()
    try:
        yield session
        session.committed = True  # the handler finished without an error
    finally:
        session.closed = True  # runs after the response has been sent


class Paging:
    def __init__(self, page: int = 1, size: int = 10) -> None:
        self.offset, self.limit = (page - 1) * size, size


def token(x_token: Annotated[str, Header()]) -> str:
    if x_token not in USERS:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Unknown token")
    return x_token


def current_user(token: Annotated[str, Depends(token)]) -> str:
    return USERS[token]


class NoteIn(BaseModel):
    text: str


class NoteOut(BaseModel):
    id: int
    text: str


app = App(
    title="Notes",
    version="1.0.0",
    description="A tiny notes service, rebuilt on nanoapi chapter by chapter.",
)
notes = APIRouter(prefix="/notes", tags=["notes"])


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
def list_notes(paging: Annotated[Paging, Depends()]) -> list[NoteOut]:
    """The notes, a page at a time."""
    chosen = list(NOTES.items())[paging.offset : paging.offset + paging.limit]
    return [NoteOut(id=note_id, text=text) for note_id, text in chosen]


@notes.get("/{note_id}", responses={404: {"description": "No such note"}})
def read_note(note_id: int, session: Annotated[Session, Depends(get_session)]):
    """One note, read through a database session.\f

    (What follows the form feed is for developers, not the document.)
    """
    if note_id not in NOTES:
        raise HTTPException(404, detail="No such note")
    return {"id": note_id, "text": NOTES[note_id], "session_open": not session.closed}


UNAUTHORIZED = {401: {"description": "Missing or unknown X-Token"}}


@notes.post("", status_code=201, response_model=NoteOut, responses=UNAUTHORIZED)
def create_note(
    note: NoteIn,
    user: Annotated[str, Depends(current_user)],
    tasks: BackgroundTasks,
):
    """Create a note; needs a valid `X-Token` header."""
    note_id = max(NOTES) + 1
    NOTES[note_id] = note.text
    tasks.add_task(AUDIT.append, f"{user} created note {note_id}")
    return {"id": note_id, "text": note.text}


@app.get("/audit", tags=["tools"])
def audit() -> list[str]:
    """What the background tasks wrote."""
    return AUDIT


@app.get("/whoami", tags=["tools"], responses=UNAUTHORIZED)
def whoami(user: Annotated[str, Depends(current_user)]):
    return {"user": user}


app.include_router(notes)
