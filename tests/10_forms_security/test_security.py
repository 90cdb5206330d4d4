"""Chapter 10: the security schemes answer like FastAPI's.

API keys in a header, a query or a cookie; HTTP Basic, Bearer and Digest;
OAuth2's password flow with its form, and scopes checked through `Security()`
and `SecurityScopes`. The same app on both sides gets the same requests, with
credentials right, wrong, malformed and missing. Status, body and the
`WWW-Authenticate` challenge must be FastAPI's, to the byte.
"""

from base64 import b64encode
from typing import Annotated

import pytest
from oracle import compare

pytestmark = pytest.mark.anyio
USERS = {"ada": "lovelace"}
GRANTS = {"t-items": ["items"], "t-all": ["items", "me"], "t-none": []}


def build(api):
    s = api.security
    app = api.App()
    Depends = api.Depends

    by_header = s.APIKeyHeader(name="x-key", description="The key")
    by_query = s.APIKeyQuery(name="key", auto_error=False)
    by_cookie = s.APIKeyCookie(name="session", scheme_name="Session")
    basic = s.HTTPBasic()
    basic_realm = s.HTTPBasic(realm="shop", scheme_name="ShopBasic")
    basic_optional = s.HTTPBasic(auto_error=False)
    bearer = s.HTTPBearer(bearerFormat="JWT", description="A token")
    bearer_optional = s.HTTPBearer(auto_error=False)
    digest = s.HTTPDigest()
    oauth2 = s.OAuth2PasswordBearer(
        tokenUrl="token", scopes={"items": "Read items", "me": "Read yourself"}
    )
    oauth2_optional = s.OAuth2PasswordBearer(tokenUrl="token", auto_error=False)
    any_flow = s.OAuth2(flows={"clientCredentials": {"tokenUrl": "t", "scopes": {}}})
    code = s.OAuth2AuthorizationCodeBearer(
        authorizationUrl="/authorize", tokenUrl="/code-token", refreshUrl="/refresh"
    )

    @app.get("/key/header")
    def key_header(key: Annotated[str, Depends(by_header)]):
        return {"key": key}

    @app.get("/key/query")
    def key_query(key: Annotated[str | None, Depends(by_query)]):
        return {"key": key}

    @app.get("/key/cookie")
    def key_cookie(key: Annotated[str, Depends(by_cookie)]):
        return {"key": key}

    @app.get("/basic")
    def read_basic(credentials: Annotated[s.HTTPBasicCredentials, Depends(basic)]):
        return credentials

    @app.get("/basic/realm")
    def read_realm(
        credentials: Annotated[s.HTTPBasicCredentials, Depends(basic_realm)],
    ):
        return credentials

    @app.get("/basic/optional")
    def read_optional(credentials: Annotated[object, Depends(basic_optional)]):
        return {"credentials": credentials}

    @app.get("/bearer")
    def read_bearer(credentials: Annotated[object, Depends(bearer)]):
        return credentials

    @app.get("/bearer/optional")
    def read_bearer_optional(credentials: Annotated[object, Depends(bearer_optional)]):
        return {"credentials": credentials}

    @app.get("/digest")
    def read_digest(credentials: Annotated[object, Depends(digest)]):
        return credentials

    @app.get("/code")
    def read_code(token: Annotated[str, Depends(code)]):
        return {"token": token}

    @app.get("/oauth2/any-flow")
    def read_any_flow(value: Annotated[str, Depends(any_flow)]):
        return {"value": value}

    @app.get("/oauth2/optional")
    def read_oauth2_optional(token: Annotated[str | None, Depends(oauth2_optional)]):
        return {"token": token}

    @app.post("/token")
    def token(form: Annotated[s.OAuth2PasswordRequestForm, Depends()]):
        if USERS.get(form.username) != form.password:
            raise api.HTTPException(400, detail="Incorrect username or password")
        return {
            "access_token": f"t-{form.username}",
            "token_type": "bearer",
            "seen": [form.grant_type, form.scopes, form.client_id, form.client_secret],
        }

    @app.post("/token/strict")
    def strict(form: Annotated[s.OAuth2PasswordRequestFormStrict, Depends()]):
        return {"grant_type": form.grant_type, "scopes": form.scopes}

    def current_user(
        scopes: s.SecurityScopes, token: Annotated[str, Depends(oauth2)]
    ) -> str:
        challenge = f'Bearer scope="{scopes.scope_str}"' if scopes.scopes else "Bearer"
        if token not in GRANTS:
            raise api.HTTPException(
                401, "Could not validate credentials", {"WWW-Authenticate": challenge}
            )
        for scope in scopes.scopes:
            if scope not in GRANTS[token]:
                raise api.HTTPException(
                    401, "Not enough permissions", {"WWW-Authenticate": challenge}
                )
        return token

    def active_user(
        user: Annotated[str, api.Security(current_user, scopes=["me"])],
    ) -> str:
        return user

    @app.get("/me")
    def me(user: Annotated[str, api.Security(active_user)]):
        return {"user": user}

    @app.get("/me/items")
    def my_items(user: Annotated[str, api.Security(active_user, scopes=["items"])]):
        return {"user": user, "items": ["a"]}

    @app.get("/status", dependencies=[api.Security(current_user)])
    def status():
        return {"ok": True}

    @app.get("/scopes")
    def echo_scopes(scopes: s.SecurityScopes):
        return {"scopes": scopes.scopes, "scope_str": scopes.scope_str}

    def middle(inner: Annotated[dict, api.Security(echo_scopes, scopes=["b", "a"])]):
        return inner

    @app.get("/scopes/nested")
    def nested_scopes(value: Annotated[dict, api.Security(middle, scopes=["a", "c"])]):
        return value

    class ScopeChecker:
        def __init__(self, security_scopes: s.SecurityScopes):
            self.scopes = security_scopes.scopes

    @app.get("/scopes/class")  # Security() with no callable: the annotation's class
    def class_scopes(checker: Annotated[ScopeChecker, api.Security(scopes=["it"])]):
        return {"scopes": checker.scopes}

    @app.get("/scopes/cached")
    def cached_scopes(
        one: Annotated[dict, api.Security(echo_scopes, scopes=["x"])],
        two: Annotated[dict, api.Security(echo_scopes, scopes=["y"])],
        three: Annotated[dict, api.Depends(echo_scopes)],
    ):
        return [one, two, three]

    return app


def basic_auth(text: str) -> dict:
    return {"headers": {"authorization": "Basic " + b64encode(text.encode()).decode()}}


def auth(value: str) -> dict:
    return {"headers": {"authorization": value}}


GET = {
    "api key header": ("/key/header", {"headers": {"x-key": "k1"}}),
    "api key header missing": ("/key/header", {}),
    "api key header empty": ("/key/header", {"headers": {"x-key": ""}}),
    "api key query": ("/key/query", {"params": {"key": "k2"}}),
    "api key query missing, optional": ("/key/query", {}),
    "api key cookie": ("/key/cookie", {"headers": {"cookie": "session=k3"}}),
    "api key cookie missing": ("/key/cookie", {"headers": {"cookie": "other=1"}}),
    "basic": ("/basic", basic_auth("ada:lovelace")),
    "basic, colon in password": ("/basic", basic_auth("ada:a:b")),
    "basic, empty password": ("/basic", basic_auth("ada:")),
    "basic, no colon": ("/basic", basic_auth("ada")),
    "basic, bad base64": ("/basic", auth("Basic !!!not-base64")),
    "basic, not ascii": ("/basic", auth("Basic " + b64encode(b"\xff:\xfe").decode())),
    "basic, lower-case scheme": ("/basic", auth("basic YWRhOmxvdmVsYWNl")),
    "basic, wrong scheme": ("/basic", auth("Bearer abc")),
    "basic, scheme only": ("/basic", auth("Basic")),
    "basic, no padding": ("/basic", auth("Basic YWRhOmI")),
    "basic, a tab for a space": ("/basic", auth("Basic\tYWRhOmI=")),
    "basic missing": ("/basic", {}),
    "basic realm missing": ("/basic/realm", {}),
    "basic realm, bad base64": ("/basic/realm", auth("Basic %%%")),
    "basic realm": ("/basic/realm", basic_auth("sam:x")),
    "basic optional missing": ("/basic/optional", {}),
    "basic optional, bad base64": ("/basic/optional", auth("Basic %%%")),
    "bearer": ("/bearer", auth("Bearer abc.def")),
    "bearer, lower case": ("/bearer", auth("bearer abc")),
    "bearer, wrong scheme": ("/bearer", auth("Basic abc")),
    "bearer, no token": ("/bearer", auth("Bearer")),
    "bearer, spaces": ("/bearer", auth("Bearer   spaced  ")),
    "bearer missing": ("/bearer", {}),
    "bearer optional, wrong scheme": ("/bearer/optional", auth("Token abc")),
    "bearer optional missing": ("/bearer/optional", {}),
    "digest": ("/digest", auth('Digest username="ada", nonce="n"')),
    "digest, wrong scheme": ("/digest", auth("Bearer abc")),
    "digest missing": ("/digest", {}),
    "code flow": ("/code", auth("Bearer c0de")),
    "code flow missing": ("/code", {}),
    "code flow, scheme only": ("/code", auth("Bearer")),
    "oauth2, any flow": ("/oauth2/any-flow", auth("Whatever  x y")),
    "oauth2, any flow, missing": ("/oauth2/any-flow", {}),
    "oauth2 optional, scheme only": ("/oauth2/optional", auth("Bearer")),
    "oauth2 optional missing": ("/oauth2/optional", {}),
    "oauth2 optional, wrong scheme": ("/oauth2/optional", auth("Basic x")),
    "oauth2 optional": ("/oauth2/optional", auth("Bearer t")),
    "scopes: all granted": ("/me/items", auth("Bearer t-all")),
    "scopes: one missing": ("/me/items", auth("Bearer t-items")),
    "scopes: unknown token": ("/me/items", auth("Bearer nobody")),
    "scopes: no token": ("/me/items", {}),
    "scopes: wrong scheme": ("/me/items", auth("Basic t-all")),
    "scopes: only me": ("/me", auth("Bearer t-none")),
    "scopes: in dependencies=": ("/status", auth("Bearer t-none")),
    "scopes: in dependencies=, unknown": ("/status", auth("Bearer x")),
    "security scopes with no Security()": ("/scopes", {}),
    "security scopes, nested": ("/scopes/nested", {}),
    "security scopes, Security() with only scopes": ("/scopes/class", {}),
    "security scopes, one dependency asked twice": ("/scopes/cached", {}),
}


@pytest.mark.parametrize("case", list(GET))
async def test_schemes_answer_like_fastapi(pkg, case):
    url, options = GET[case]
    [(theirs, ours)] = await compare(
        build, pkg, [{"method": "GET", "url": url, **options}]
    )
    assert ours.view("www-authenticate") == theirs.view("www-authenticate")


LOGIN = {"username": "ada", "password": "lovelace"}
POST = {
    "password flow": ("/token", LOGIN),
    "wrong password": ("/token", {**LOGIN, "password": "x"}),
    "grant type password": ("/token", {**LOGIN, "grant_type": "password"}),
    "grant type wrong": ("/token", {**LOGIN, "grant_type": "client_credentials"}),
    "scopes and client": (
        "/token",
        {**LOGIN, "scope": "items  me", "client_id": "c", "client_secret": "s"},
    ),
    "no password": ("/token", {"username": "ada"}),
    "nothing": ("/token", {}),
    "strict": ("/token/strict", {**LOGIN, "grant_type": "password", "scope": "a"}),
    "strict, no grant type": ("/token/strict", LOGIN),
    "strict, wrong grant type": ("/token/strict", {**LOGIN, "grant_type": "pass"}),
}


@pytest.mark.parametrize("case", list(POST))
async def test_the_password_form_answers_like_fastapi(pkg, case):
    url, data = POST[case]
    requests = [
        {"method": "POST", "url": url, "data": data},
        {
            "method": "POST",
            "url": url,
            "files": {k: (None, v) for k, v in data.items()},
        },
    ]
    for theirs, ours in await compare(build, pkg, requests):
        assert ours.view() == theirs.view()


async def test_the_password_form_as_json_is_a_422_like_fastapi(pkg):
    [(theirs, ours)] = await compare(
        build, pkg, [{"method": "POST", "url": "/token", "json": LOGIN}]
    )
    assert theirs.status == 422
    assert ours.view() == theirs.view()
