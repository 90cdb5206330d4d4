"""Chapter 10: forms, files and security in the OpenAPI document, as FastAPI's.

A form body is a `Body_<operation id>` schema under the form's media type; a
file is a string with `contentMediaType`; a security scheme is an entry of
`components.securitySchemes` and a requirement (with its scopes) on every
operation that depends on it. Each app's document must equal FastAPI's whole,
and be valid OpenAPI.
"""

from typing import Annotated

import pytest
from maintainer import need
from oracle import fastapi_namespace, package_namespace
from pydantic import BaseModel, Field


class Profile(BaseModel):
    username: str = Field(min_length=2, description="Who")
    age: int = 18
    tags: list[str] = []


class StrictProfile(Profile):
    model_config = {"extra": "forbid"}


def form_bodies(api):
    app = api.App()

    @app.post("/fields")
    def fields(
        name: Annotated[str, api.Form(max_length=10, description="A name")],
        age: Annotated[int, api.Form(ge=0)] = 1,
        tags: Annotated[list[str], api.Form()] = [],  # noqa: B006 (FastAPI's idiom)
        nick: Annotated[str | None, api.Form(alias="nick-name")] = None,
    ):
        return {}

    @app.post("/one")
    def one(name: Annotated[str, api.Form()]):
        return {}

    @app.post("/model")
    def model(profile: Annotated[Profile, api.Form()]):
        return profile

    @app.post("/strict", operation_id="strict_form")
    def strict(profile: Annotated[StrictProfile, api.Form()]):
        return profile

    @app.put("/fields/{item_id}")
    def with_path(item_id: int, note: Annotated[str, api.Form()], q: int = 0):
        return {}

    return app


def file_bodies(api):
    app = api.App()

    @app.post("/bytes")
    def raw(file: Annotated[bytes, api.File(description="Some bytes")]):
        return {}

    @app.post("/upload")
    def upload(file: api.UploadFile):
        return {}

    @app.post("/uploads")
    def uploads(files: list[api.UploadFile]):
        return {}

    @app.post("/many-bytes")
    def many_bytes(files: Annotated[list[bytes], api.File()]):
        return {}

    @app.post("/optional")
    def optional(file: api.UploadFile | None = None):
        return {}

    @app.post("/described")
    def described(
        file: Annotated[api.UploadFile, api.File(description="A described file")],
    ):
        return {}

    @app.post("/mixed")
    def mixed(
        file: api.UploadFile,
        token: Annotated[str, api.Form()],
        note: Annotated[bytes, api.File()],
        count: Annotated[int, api.Form()] = 0,
    ):
        return {}

    return app


def security_schemes(api):
    s = api.security
    app = api.App()
    oauth2 = s.OAuth2PasswordBearer(
        tokenUrl="token",
        scopes={"items": "Read items", "me": "Read yourself"},
        description="Log in first",
    )
    schemes = [
        s.APIKeyHeader(name="x-key", description="The key"),
        s.APIKeyQuery(name="key", auto_error=False),
        s.APIKeyCookie(name="session", scheme_name="Session"),
        s.HTTPBasic(),
        s.HTTPBasic(realm="shop", scheme_name="ShopBasic"),
        s.HTTPBearer(bearerFormat="JWT", description="A token"),
        s.HTTPDigest(auto_error=False),
        s.OAuth2AuthorizationCodeBearer(
            authorizationUrl="/authorize", tokenUrl="/code-token", refreshUrl="/r"
        ),
        s.OAuth2PasswordBearer(tokenUrl="other", scheme_name="Other", refreshUrl="/r"),
        s.OAuth2(flows={"clientCredentials": {"tokenUrl": "t", "scopes": {"a": "A"}}}),
    ]
    for index, scheme in enumerate(schemes):

        @app.get(f"/scheme/{index}")
        def read(value: Annotated[object, api.Depends(scheme)]):
            return {}

    @app.post("/token")
    def token(form: Annotated[s.OAuth2PasswordRequestForm, api.Depends()]):
        return {}

    @app.post("/token/strict")
    def strict(form: Annotated[s.OAuth2PasswordRequestFormStrict, api.Depends()]):
        return {}

    def current_user(
        scopes: s.SecurityScopes, token: Annotated[str, api.Depends(oauth2)]
    ):
        return token

    def active_user(user: Annotated[str, api.Security(current_user, scopes=["me"])]):
        return user

    @app.get("/me")
    def me(user: Annotated[str, api.Security(active_user)]):
        return {}

    @app.get("/me/items")
    def my_items(user: Annotated[str, api.Security(active_user, scopes=["items"])]):
        return {}

    @app.get("/status", dependencies=[api.Security(current_user, scopes=["items"])])
    def status():
        return {}

    router = api.APIRouter(dependencies=[api.Depends(schemes[0])])

    @router.get("/guarded")
    def guarded(user: Annotated[str, api.Depends(current_user)]):
        return {}

    app.include_router(router, prefix="/r")
    return app


def security_merged(api):
    """One scheme met several times, with scopes or without; schemes found
    deep in the tree and near the top."""
    s = api.security
    app = api.App()
    key = s.APIKeyHeader(name="x-key", scheme_name="Key")
    bearer = s.HTTPBearer(scheme_name="Token")
    oauth2 = s.OAuth2PasswordBearer(tokenUrl="t", scopes={"a": "A", "b": "B"})

    def keyed(k: Annotated[str, api.Depends(key)]):
        return k

    def reads_a(t: Annotated[str, api.Security(oauth2, scopes=["a"])]):
        return t

    def reads_b(t: Annotated[str, api.Security(oauth2, scopes=["b"])]):
        return t

    @app.get("/deep-first")
    def deep_first(
        k: Annotated[str, api.Depends(keyed)], t: Annotated[object, api.Depends(bearer)]
    ):
        return {}

    @app.get("/scopes-on-a-key")
    def scoped_key(k: Annotated[str, api.Security(key, scopes=["read"])]):
        return {}

    @app.get("/one-scheme-two-scopes")
    def merged(
        a: Annotated[str, api.Depends(reads_a)], b: Annotated[str, api.Depends(reads_b)]
    ):
        return {}

    @app.get("/nested-scopes")
    def nested(a: Annotated[str, api.Security(reads_a, scopes=["b", "a"])]):
        return {}

    @app.get("/with-and-without", dependencies=[api.Security(key, scopes=["z"])])
    def with_and_without(k: Annotated[str, api.Depends(key)]):
        return {}

    namesake = s.OAuth2PasswordBearer(tokenUrl="elsewhere")  # the same scheme name

    @app.get("/namesakes")
    def namesakes(
        a: Annotated[str, api.Depends(reads_a)],
        b: Annotated[str, api.Depends(namesake)],
    ):
        return {}

    return app


BUILDERS = [form_bodies, file_bodies, security_schemes, security_merged]


@pytest.mark.parametrize("build", BUILDERS, ids=[b.__name__ for b in BUILDERS])
def test_the_document_equals_fastapis(pkg, build):
    theirs = build(fastapi_namespace()).openapi()
    ours = build(package_namespace(pkg)).openapi()
    assert ours["paths"] == theirs["paths"]
    assert ours == theirs


@pytest.mark.parametrize("build", BUILDERS, ids=[b.__name__ for b in BUILDERS])
def test_the_document_is_valid_openapi(pkg, build):
    need("openapi_spec_validator").validate(build(package_namespace(pkg)).openapi())


def test_the_demo_documents_its_login_and_its_upload(demo):
    document = demo.app.openapi()
    schemes = document["components"]["securitySchemes"]
    assert schemes == {
        "OAuth2PasswordBearer": {
            "type": "oauth2",
            "flows": {"password": {"scopes": {}, "tokenUrl": "token"}},
        }
    }
    assert document["paths"]["/users/me"]["get"]["security"] == [
        {"OAuth2PasswordBearer": []}
    ]
    upload = document["paths"]["/notes/{note_id}/attachment"]["post"]
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]
    login = document["paths"]["/token"]["post"]["requestBody"]["content"]
    assert list(login) == ["application/x-www-form-urlencoded"]
