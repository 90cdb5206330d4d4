"""An app that knows only HTTP: lifespan makes it raise, as many raw apps do."""


async def app(scope, receive, send):
    assert scope["type"] == "http"
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"2")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})
