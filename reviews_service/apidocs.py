"""`/api/docs`: the OpenAPI document as a readable page, self-contained (no outside script),
so that it works on a machine with no internet access and under a strict CSP."""

from __future__ import annotations

from flask import Blueprint, render_template

from .extensions import api, limiter

bp = Blueprint("apidocs", __name__)

METHODS = ("get", "put", "post", "patch", "delete")


def _resolve(spec: dict, schema: dict | None) -> dict:
    """Follow one `$ref` to the named schema."""
    if not schema:
        return {}
    ref = schema.get("$ref")
    if ref:
        return spec.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    if schema.get("type") == "array":
        inner = _resolve(spec, schema.get("items"))
        return {"type": "array", "items": inner}
    return schema


def _operations(spec: dict) -> list[dict]:
    ops = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            body = op.get("requestBody", {}).get("content", {})
            body_schema = next(iter(body.values()), {}).get("schema") if body else None
            ops.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "tags": op.get("tags", []),
                "parameters": item.get("parameters", []) + op.get("parameters", []),
                "body": _resolve(spec, body_schema), "body_types": list(body),
                "responses": {code: _resolve(spec, next(iter(r.get("content", {}).values()), {})
                                             .get("schema")) for code, r in op.get("responses", {}).items()},
                "response_text": {code: r.get("description", "") for code, r in op.get("responses", {}).items()},
                "secured": bool(op.get("security")),
            })
    return ops


@bp.get("/api/docs")
@limiter.exempt
def docs():
    spec = api.spec.to_dict()
    return render_template("apidocs.html", spec=spec, operations=_operations(spec))
