"""Chapter 10: the demo's login and upload, run on FastAPI and on ours.

As in chapter 09, the very same app.py runs with the real FastAPI behind its
imports and with the chapter's package. Each side logs in on its own (tokens
are random, so each side uses the one it was given) and then walks the same
flow: who am I, write a note, attach a file to it, the errors in between.
Every answer must match, except the token's text.
"""

import pytest
from oracle import Answer, ask, demo_on_fastapi, demo_on_ours

pytestmark = pytest.mark.anyio
LOGIN = {"username": "ada", "password": "lovelace"}
FILE = ("notes.txt", b"first line\nsecond line\n", "text/plain")


def flow(token: str) -> list[dict]:
    """What a client does once logged in, and what it gets wrong on the way."""
    bearer = {"authorization": f"Bearer {token}"}
    upload = {"files": {"file": FILE}, "data": {"caption": "my notes"}}
    return [
        {"method": "GET", "url": "/users/me"},
        {"method": "GET", "url": "/users/me", "headers": {"authorization": "Basic x"}},
        {
            "method": "GET",
            "url": "/users/me",
            "headers": {"authorization": "Bearer no"},
        },
        {"method": "GET", "url": "/users/me", "headers": bearer},
        {"method": "POST", "url": "/notes", "json": {"text": "x"}},
        {"method": "POST", "url": "/notes", "json": {"text": "x"}, "headers": bearer},
        {"method": "POST", "url": "/notes", "json": {}, "headers": bearer},
        {"method": "POST", "url": "/notes/1/attachment", **upload},
        {"method": "POST", "url": "/notes/1/attachment", **upload, "headers": bearer},
        {"method": "POST", "url": "/notes/4/attachment", **upload, "headers": bearer},
        {
            "method": "POST",
            "url": "/notes/1/attachment",
            "data": {"caption": "no file"},
            "headers": bearer,
        },
        {
            "method": "POST",
            "url": "/notes/1/attachment",
            "files": {"file": FILE},
            "headers": bearer,
        },
        {
            "method": "POST",
            "url": "/notes/1/attachment",
            "files": {"file": FILE},
            "data": {"caption": "x" * 201},
            "headers": bearer,
        },
        {"method": "POST", "url": "/notes/99/attachment", **upload, "headers": bearer},
        {"method": "POST", "url": "/notes/x/attachment", **upload, "headers": bearer},
        {"method": "GET", "url": "/audit"},
    ]


LOGINS = [
    {"method": "POST", "url": "/token", "data": {**LOGIN, "password": "wrong"}},
    {"method": "POST", "url": "/token", "data": {"username": "nobody", "password": ""}},
    {"method": "POST", "url": "/token", "data": {"username": "ada"}},
    {"method": "POST", "url": "/token", "json": LOGIN},
    {
        "method": "POST",
        "url": "/token",
        "files": {k: (None, v) for k, v in LOGIN.items()},
    },
    {"method": "POST", "url": "/token", "data": {**LOGIN, "grant_type": "other"}},
    {"method": "POST", "url": "/token", "data": LOGIN},  # the token the flow uses
]


async def log_in_and_walk(app) -> tuple[list[Answer], list[Answer]]:
    logins = await ask(app, LOGINS)
    token = logins[-1].json()["access_token"]
    return logins, await ask(app, flow(token))


def without_token(answer: Answer) -> dict:
    """The answer's view, a token's text replaced by its shape."""
    view = answer.view("www-authenticate")
    if answer.status == 200 and "access_token" in answer.json():
        body = answer.json()
        token = body.pop("access_token")
        view["body"] = {**body, "access_token": type(token).__name__ + str(len(token))}
    return view


async def test_the_login_and_upload_flow_answers_as_on_fastapi(chapter, pkg):
    their_logins, their_flow = await log_in_and_walk(demo_on_fastapi(chapter).app)
    our_logins, our_flow = await log_in_and_walk(demo_on_ours(chapter, pkg).app)
    for request, theirs, ours in zip(LOGINS, their_logins, our_logins, strict=True):
        assert without_token(ours) == without_token(theirs), request
    assert our_logins[-1].json()["token_type"] == "bearer"
    requests = flow("<token>")
    for request, theirs, ours in zip(requests, their_flow, our_flow, strict=True):
        assert ours.view("www-authenticate") == theirs.view("www-authenticate"), request
    statuses = [answer.status for answer in our_flow]  # the flow went as planned
    assert statuses[:8] == [401, 401, 401, 200, 401, 201, 422, 401]
    assert statuses[8:] == [201, 201, 422, 422, 422, 404, 422, 200]
    assert our_flow[3].json() == {"username": "ada"}
