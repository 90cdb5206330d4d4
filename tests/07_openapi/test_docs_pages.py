"""Chapter 07: the docs pages load everything from the app itself."""

import re

import httpx
import pytest
from openapi_apps import shop
from oracle import compare, package_namespace

pytestmark = pytest.mark.anyio


def client_for(app, root_path=""):
    transport = httpx.ASGITransport(app=app, root_path=root_path)
    return httpx.AsyncClient(transport=transport, base_url="http://t")


async def test_swagger_ui_page_uses_local_files(pkg):
    async with client_for(shop(package_namespace(pkg))) as client:
        page = await client.get("/docs")
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sources, "the page loads a script and a stylesheet"
        assert all(s.startswith(("/", "data:")) for s in sources), sources
        assert '"/openapi.json"' in page.text
        assert "validatorUrl: null" in page.text
        for source in sources:
            if source.startswith("/"):
                asset = await client.get(source)
                assert asset.status_code == 200, source
        js = await client.get("/docs/swagger-ui-bundle.js")
        assert js.headers["content-type"] == "application/javascript; charset=utf-8"
        assert b"SwaggerUIBundle" in js.content
        css = await client.get("/docs/swagger-ui.css")
        assert css.headers["content-type"] == "text/css; charset=utf-8"


async def test_redoc_page_uses_local_files(pkg):
    async with client_for(shop(package_namespace(pkg))) as client:
        page = await client.get("/redoc")
        assert page.status_code == 200
        assert 'spec-url="/openapi.json"' in page.text
        script = re.search(r'<script src="([^"]+)"', page.text).group(1)
        js = await client.get(script)
        assert js.status_code == 200
        assert js.headers["content-type"] == "application/javascript; charset=utf-8"
        logo = await client.get("/redoc/logo-mini.svg")
        assert logo.headers["content-type"] == "image/svg+xml"


async def test_only_known_files_are_served(pkg):
    async with client_for(shop(package_namespace(pkg))) as client:
        for name in ("/docs/..%2F..%2Fsetup.py", "/docs/secret.py", "/redoc/x.js"):
            assert (await client.get(name)).status_code == 404, name


async def test_pages_follow_the_root_path(pkg):
    async with client_for(shop(package_namespace(pkg)), root_path="/api") as client:
        page = await client.get("/api/docs")
    assert '"/api/openapi.json"' in page.text
    assert 'src="/api/docs/swagger-ui-bundle.js"' in page.text


async def test_urls_and_pages_are_configurable(pkg):
    app = pkg.App(openapi_url="/spec.json", docs_url="/try", redoc_url=None)
    async with client_for(app) as client:
        assert (await client.get("/spec.json")).status_code == 200
        page = await client.get("/try")
        assert '"/spec.json"' in page.text
        assert (await client.get("/docs")).status_code == 404
        assert (await client.get("/redoc")).status_code == 404


async def test_the_docs_files_never_hide_a_route_of_the_user(pkg):
    """FastAPI loads the docs files from a CDN; ours come from the app, but
    only where no route of the user's matched."""

    def build(api):
        app = api.App()

        @app.get("/docs/{name}")
        async def guide(name: str):
            return {"guide": name}

        return app

    urls = ["/docs/intro", "/docs/swagger-ui.css"]
    pairs = await compare(build, pkg, [{"method": "GET", "url": u} for u in urls])
    for theirs, ours in pairs:
        assert ours.view() == theirs.view()
    assert pairs[1][1].json() == {"guide": "swagger-ui.css"}
