"""A chat room as a raw ASGI app: a page, and a WebSocket that broadcasts.

`GET /` is a page whose JavaScript opens `ws://<host>/chat?name=...` and shows
every message of the room; each text a member sends goes to every member.
The browser test opens it in Chromium, served by our server.
"""

from contextlib import suppress

PAGE = b"""<!doctype html>
<html>
<head><meta charset="utf-8"><title>Chat</title></head>
<body>
<p id="status">connecting</p>
<form id="form"><input id="text" autocomplete="off"><button>Send</button></form>
<ul id="messages"></ul>
<script>
const name = new URLSearchParams(location.search).get("name") || "anonymous";
const ws = new WebSocket(`ws://${location.host}/chat?name=${name}`, ["chat"]);
ws.onopen = () => {
  document.getElementById("status").textContent =
    `open ${ws.protocol} [${ws.extensions}]`;
};
ws.onclose = (event) => {
  document.getElementById("status").textContent =
    `closed ${event.code} ${event.reason}`;
};
ws.onmessage = (event) => {
  const item = document.createElement("li");
  item.textContent = event.data;
  document.getElementById("messages").appendChild(item);
};
document.getElementById("form").onsubmit = (event) => {
  event.preventDefault();
  const input = document.getElementById("text");
  ws.send(input.value);
  input.value = "";
};
</script>
</body>
</html>
"""

MEMBERS: dict[str, object] = {}  # name -> that member's `send`


async def broadcast(text: str) -> None:
    for send in list(MEMBERS.values()):
        with suppress(OSError):  # a member who has gone: its own loop removes it
            await send({"type": "websocket.send", "text": text})


async def chat(scope, receive, send):
    name = scope["query_string"].decode().removeprefix("name=") or "anonymous"
    await receive()  # websocket.connect
    await send({"type": "websocket.accept", "subprotocol": "chat"})
    MEMBERS[name] = send
    await broadcast(f"{name} joined")
    try:
        while (message := await receive())["type"] == "websocket.receive":
            if message.get("text") == "/leave":
                await send({"type": "websocket.close", "code": 4000, "reason": "bye"})
            else:
                await broadcast(f"{name}: {message.get('text')}")
    finally:
        MEMBERS.pop(name, None)
    await broadcast(f"{name} left")


async def app(scope, receive, send):
    if scope["type"] == "websocket":
        await chat(scope, receive, send)
    elif scope["type"] == "http":
        headers = [(b"content-type", b"text/html; charset=utf-8")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": PAGE})
    else:  # lifespan: nothing to start
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
