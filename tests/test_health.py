"""Health checks for load balancers, and the API's own description: /api/openapi.json and /api/docs."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape as html_escape

from reviews_service import create_app

from .conftest import base_config
from .helpers import assert_problem

WRITES = {"post", "put", "patch"}


def test_healthz_says_the_process_is_up(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_readyz_is_200_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ready"


@pytest.fixture
def dead_db_client(tmp_path):
    return create_app(base_config(tmp_path, DATABASE_URL="postgresql://postgres@127.0.0.1:1/x")).test_client()


def test_readyz_is_503_problem_when_the_database_does_not_answer(dead_db_client):
    response = dead_db_client.get("/readyz")
    assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) >= 1


def test_healthz_is_200_when_the_database_does_not_answer(dead_db_client):
    assert dead_db_client.get("/healthz").status_code == 200


def test_readyz_recovers_on_the_next_call(dead_db_client, app):
    """A failed check leaves nothing behind that breaks the next request on a healthy app."""
    dead_db_client.get("/readyz")
    assert app.test_client().get("/readyz").status_code == 200


# --- the OpenAPI document ------------------------------------------------------------------------

@pytest.fixture
def spec(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def api_routes(app) -> list[tuple[str, str]]:
    """(openapi path, method) for every /api/v1 route of the app."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes += [(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}]
    return sorted(routes)


def resolve(spec: dict, node: dict) -> dict:
    ref = node.get("$ref")
    if ref:
        section, name = ref.split("/")[-2:]
        return resolve(spec, spec["components"][section][name])
    return node


def test_openapi_lists_every_api_route(app, spec):
    missing = [(path, method) for path, method in api_routes(app)
               if method not in spec["paths"].get(path, {})]
    assert missing == []


def test_every_operation_documents_its_answer(app, spec):
    """JSON answers with their schema; others (an XML feed, JSON-LD, an SVG badge) with their type."""
    for path, method in api_routes(app):
        responses = spec["paths"][path][method]["responses"]
        success = {code: r for code, r in responses.items() if code.startswith("2")}
        assert success, (method, path)
        for code, response in success.items():
            if code == "204":
                continue  # no content, by definition
            content = resolve(spec, response).get("content", {})
            assert content, (method, path)
            assert all(c.get("schema") for t, c in content.items() if t == "application/json"), (method, path)


def test_every_write_documents_its_request_schema(app, spec):
    for path, method in api_routes(app):
        if method in WRITES:
            body = spec["paths"][path][method].get("requestBody", {}).get("content", {})
            assert body and all(c.get("schema") for c in body.values()), (method, path)


def test_server_api_operations_require_the_secret_key(app, spec):
    assert spec["components"]["securitySchemes"]["secretKey"]["scheme"] == "bearer"
    for path, method in api_routes(app):
        if not path.startswith("/api/v1/public/"):
            # One requirement per scope that may call it (`x-scopes`), `all` among them.
            security = spec["paths"][path][method].get("security")
            assert security and all(list(r) == ["secretKey"] for r in security), (method, path)
            assert {"all"} <= {s for r in security for s in r["secretKey"]}, (method, path)


def test_documented_errors_are_problem_json_with_the_problem_shape(app, spec):
    for path, method in api_routes(app):
        for code, response in spec["paths"][path][method]["responses"].items():
            if code.startswith(("4", "5")):
                content = resolve(spec, response)["content"]
                assert list(content) == ["application/problem+json"], (method, path, code)
                schema = resolve(spec, content["application/problem+json"]["schema"])
                assert {"type", "title", "status", "detail", "errors"} <= schema["properties"].keys()


def test_openapi_describes_the_order_schema(spec):
    order_in = spec["components"]["schemas"]["OrderIn"]
    assert {"id", "customer", "items", "placed_at", "currency", "total"} <= set(order_in["required"])
    assert order_in.get("additionalProperties") is False


# --- the docs page -------------------------------------------------------------------------------

def test_docs_page_is_html(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"


def test_docs_page_lists_every_endpoint(app, client):
    page = client.get("/api/docs").get_data(as_text=True)
    for path, _method in api_routes(app):
        assert path in page, path
    assert {"GET", "POST", "PUT", "PATCH"} <= set(re.findall(r"\b(GET|POST|PUT|PATCH|DELETE)\b", page))


def test_docs_page_loads_no_outside_script(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert not re.search(r"<script[^>]+src=[\"']https?://", page)


def test_docs_page_groups_operations_by_task_with_an_example_each(client, spec):
    page = client.get("/api/docs").get_data(as_text=True)
    sections = re.findall(r'<section class="tag" id="[^"]+">\s*<h2>([^<]+)</h2>(.*?)(?=<section class="tag"|</body>)',
                          page, re.S)

    assert [name for name, _ in sections] == [tag["name"] for tag in spec["tags"]]
    for (name, html), tag in zip(sections, spec["tags"], strict=True):
        assert html_escape(tag["description"]) in html, name
        assert '<pre class="example">' in html, name


def test_the_document_is_whole_for_two_first_readers_at_once(app):
    """The document is written when first read (extensions.Api): two requests that both find it
    unwritten get the same, whole document, security scheme and scopes included."""
    import threading

    barrier, answers = threading.Barrier(2), []

    def read() -> None:
        client = app.test_client()
        barrier.wait()
        answers.append(client.get("/api/openapi.json"))

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = (answer.get_json() for answer in answers)
    assert first == second
    assert len(first["paths"]) > 50
    assert "secretKey" in first["components"]["securitySchemes"]
    assert any("security" in operation for operation in first["paths"]["/api/v1/orders"].values())
    assert app.test_client().get("/api/openapi.json").get_json() == first
