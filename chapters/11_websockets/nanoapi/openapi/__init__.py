"""OpenAPI, as FastAPI lays it out: `utils` builds the document from the
routes, `docs` writes the pages that show it (Swagger UI and ReDoc)."""
