"""`/api/docs`: the OpenAPI document as a readable page, self-contained (no outside script),
so that it works on a machine with no internet access and under a strict CSP. Operations are grouped
by the document's tags (the tasks), in the document's order, each with its example request."""

from __future__ import annotations

import json

from flask import Blueprint, render_template

from .extensions import api
from .web.limits import limiter

bp = Blueprint("apidocs", __name__)

METHODS = ("get", "put", "post", "patch", "delete")


def _resolve(spec: dict, node: dict | None) -> dict:
    """Follow `$ref`s into the components (schemas, responses); an array shows its items."""
    if not node:
        return {}
    ref = node.get("$ref")
    if ref:
        section, name = ref.split("/")[-2:]
        return _resolve(spec, spec.get("components", {}).get(section, {}).get(name, {}))
    if node.get("type") == "array":
        return {"type": "array", "items": _resolve(spec, node.get("items"))}
    return node


def _type(schema: dict) -> str:
    kind = schema.get("type") or ("object" if schema.get("$ref") else "")
    return " or ".join(kind) if isinstance(kind, list) else kind


def _example(op: dict) -> dict:
    """The operation's example request: its query parameters and its JSON body, as text."""
    query = {p["name"]: p["example"] for p in op.get("parameters", []) if "example" in p}
    content = op.get("requestBody", {}).get("content", {})
    body = next((c["example"] for c in content.values() if "example" in c), None)
    return {"query": query, "body": json.dumps(body, indent=2) if body is not None else None}


def _operation(spec: dict, path: str, item: dict, method: str) -> dict:
    op = item[method]
    body = op.get("requestBody", {}).get("content", {})
    body_schema = next(iter(body.values()), {}).get("schema") if body else None
    responses = {code: _resolve(spec, r) for code, r in op.get("responses", {}).items()}
    return {
        "method": method.upper(), "path": path, "summary": op.get("summary", ""),
        "parameters": item.get("parameters", []) + op.get("parameters", []),
        "body": _resolve(spec, body_schema), "body_types": list(body),
        "responses": {code: _resolve(spec, next(iter(r.get("content", {}).values()), {}).get("schema"))
                      for code, r in sorted(responses.items())},
        "response_text": {code: r.get("description", "") for code, r in sorted(responses.items())},
        "secured": bool(op.get("security")), "example": _example(op),
    }


def _groups(spec: dict) -> list[dict]:
    """The tags in the document's order, each with its operations; untagged ones come last."""
    groups = {tag["name"]: {"name": tag["name"], "description": tag.get("description", ""), "operations": []}
              for tag in spec.get("tags", [])}
    other = {"name": "Other", "description": "", "operations": []}
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in METHODS:
            if method in item:
                tags = item[method].get("tags") or ["Other"]
                groups.get(tags[0], other)["operations"].append(_operation(spec, path, item, method))
    return [g for g in [*groups.values(), other] if g["operations"]]


@bp.get("/api/docs")
@limiter.exempt
def docs():
    spec = api.spec.to_dict()
    return render_template("apidocs.html", spec=spec, groups=_groups(spec), type_of=_type)
