"""The OpenAPI 3.1 document, generated from the operation table (served at /-/openapi.json)."""

from __future__ import annotations

from typing import Any

from geoshare.http.operations import ROUTER, Operation
from geoshare.http.params import Param
from geoshare.settings import Settings

TYPES: dict[str, dict[str, Any]] = {"string": {"type": "string"}, "password": {"type": "string", "format": "password"},
         "int": {"type": "integer"}, "bool": {"type": "string", "enum": ["true", "false", "True", "False"]},
         "list": {"type": "string", "description": "comma-separated or a JSON array"},
         "json": {"type": "string", "description": "JSON text"}, "file": {"type": "string", "format": "binary"},
         "file_or_name": {"type": "string", "description": "a file, or the name of the one stored"}}


def mount_prefix(settings: Settings, mount: str) -> str:
    pc, sc = settings.portal_context.strip("/"), settings.server_context.strip("/")
    return {"sharing": f"/{pc}/sharing/rest", "portaladmin": f"/{pc}/portaladmin", "admin": f"/{sc}/admin",
            "rest": f"/{sc}/rest", "tokens": f"/{sc}/tokens"}[mount]


def _schema(param: Param) -> dict[str, Any]:
    schema: dict[str, Any] = dict(TYPES[param.kind])
    if param.choices:
        schema["enum"] = list(param.choices)
    if param.max_length:
        schema["maxLength"] = param.max_length
    if param.minimum is not None:
        schema["minimum"] = param.minimum
    if param.maximum is not None:
        schema["maximum"] = param.maximum
    if param.help:
        schema["description"] = param.help
    return schema


def _common(op: Operation) -> list[Param]:
    formats = ("html", "json", "pjson", "rss") if op.rss is not None else ("html", "json", "pjson")
    return [Param("f", choices=formats, help="Output format; html by default."),
            Param("callback", max_length=128, help="JSONP function name.")]


def _operation(op: Operation, method: str) -> dict[str, Any]:
    params = [*op.params, *_common(op)]
    doc: dict[str, Any] = {"operationId": f"{op.mount}_{method.lower()}_{op.path.replace('/', '_') or 'root'}",
                           "summary": op.summary or op.name, "tags": [op.mount],
                           "responses": {"200": {"description": "JSON result or the ArcGIS error envelope",
                                                 "content": {"application/json": {"schema": {"type": ["object", "array"]}}}}}}
    if op.requirement.signed_in:
        doc["security"] = [{"token": []}, {"esriBearer": []}]
    doc["x-geoshare-permission"] = op.permission
    doc["description"] = f"Requires: {op.requirement.describe()}."
    if op.requirement.privileges:
        doc["x-geoshare-privileges"] = {"allOf" if op.requirement.all_of else "anyOf": list(op.requirement.privileges)}
    path_params = [seg[1:-1] for seg in op.path.split("/") if seg.startswith("{")]
    doc["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in path_params]
    if method == "GET":
        doc["parameters"] += [{"name": p.name, "in": "query", "required": p.required, "schema": _schema(p)}
                              for p in params if p.kind not in ("file", "file_or_name")]
    else:
        props = {p.name: _schema(p) for p in params}
        required = [p.name for p in params if p.required]
        doc["requestBody"] = {"content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object", "properties": props, **({"required": required} if required else {})}}}}
    return doc


def openapi_document(settings: Settings) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in ROUTER.operations:
        url = mount_prefix(settings, op.mount) + (f"/{op.path}" if op.path else "")
        entry = paths.setdefault(url, {})
        for method in op.methods:
            entry[method.lower()] = _operation(op, method)
    return {"openapi": "3.1.0",
            "info": {"title": "geoshare", "version": "0.1.0",
                     "description": "ArcGIS-compatible portal and server site. Every operation also answers f=html."},
            "paths": paths,
            "components": {"securitySchemes": {
                "token": {"type": "apiKey", "in": "query", "name": "token"},
                "esriBearer": {"type": "apiKey", "in": "header", "name": "X-Esri-Authorization"}}}}
