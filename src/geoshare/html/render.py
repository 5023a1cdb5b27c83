"""HTML directory pages (`f=html`, the default): the same data as the JSON, plus links to
child resources and a form for every operation, all derived from the operation table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from geoshare.domain.principal import Principal
from geoshare.errors import GeoshareError
from geoshare.html import policy
from geoshare.http.context import Ctx
from geoshare.http.operations import Operation

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape())
HEADERS = policy.DIRECTORY
DIRECTORY_NAMES = {"sharing": "Portal Directory", "portaladmin": "Portal Administrator Directory",
                   "admin": "Server Administrator Directory", "rest": "ArcGIS REST Services Directory",
                   "tokens": "Token Service"}


def _crumbs(prefix: str, rest: list[str]) -> list[tuple[str, str]]:
    crumbs = [("Home", prefix)]
    path = prefix
    for seg in rest:
        path = f"{path}/{quote(seg, safe='@')}"
        crumbs.append((seg, path))
    return crumbs


def _properties(data: Any) -> list[tuple[str, str, bool]]:
    if not isinstance(data, dict):
        return []
    rows = []
    for key, value in data.items():
        nested = isinstance(value, dict | list)
        rows.append((str(key), json.dumps(value, indent=2, ensure_ascii=False) if nested else
                     (value if isinstance(value, str) else json.dumps(value)), nested))
    return rows


def _links(here: str, children: list[tuple[str, Operation | None]]) -> tuple[list[Any], list[Any]]:
    resources, operations = [], []
    for name, op in children:
        href = f"{here}/{name}"
        if op is not None and op.kind == "operation":
            needs = op.requirement.describe() if op.requirement.signed_in else ""
            operations.append((name, href, needs))
        else:
            resources.append((name, href))
    return resources, operations


def _templated(mount: str, rest: list[str], principal: Principal) -> list[tuple[str, str, list[str]]]:
    from geoshare.http.operations import ROUTER, split

    found = {}
    lowered = [s.lower() for s in rest]
    for op in ROUTER.operations:
        if op.mount != mount:
            continue
        template = split(op.path)
        if len(template) <= len(rest) or not template[len(rest)].startswith("{"):
            continue
        if all(t.startswith("{") or t.lower() == s for t, s in zip(template, lowered, strict=False)):
            pname = template[len(rest)][1:-1]
            examples = {"portal": ["self"], "user": [principal.username] if principal.username else []}
            found[pname] = (pname, pname, examples.get(pname, []))
    return list(found.values())


def _page(mount: str, prefix: str, rest: list[str], principal: Principal | None,
          **values: Any) -> HTMLResponse:
    here = prefix + ("/" + "/".join(quote(s, safe="@") for s in rest) if rest else "")
    context = {"directory": DIRECTORY_NAMES.get(mount, "geoshare"), "crumbs": _crumbs(prefix, rest), "here": here,
               "username": principal.username if principal else None, "json_link": f"{here}?f=pjson",
               "title": rest[-1] if rest else DIRECTORY_NAMES.get(mount, "geoshare"), "summary": "",
               "properties": [], "raw_json": None, "resources": [], "operations": [], "templated": [],
               "form": None, "error": None, "is_operation": False, "requires": None, **values}
    return HTMLResponse(_env.get_template("page.html").render(**context), headers=HEADERS)


def _requires(op: Operation) -> str:
    """The operation's declared requirement, in words and as declared."""
    text = op.requirement.describe()
    return text if text == op.permission else f"{text} ({op.permission})"


def _form(op: Operation, action: str) -> dict[str, Any]:
    """Operations post their form; reads that take parameters (searches, listings) get a GET
    form, so the query lands in the address bar and the page can be bookmarked."""
    method = "post" if op.kind == "operation" else "get"
    return {"name": op.name, "action": action, "params": op.params, "method": method}


def _form_for(op: Operation, action: str) -> dict[str, Any] | None:
    return _form(op, action) if op.kind == "operation" or op.params else None


def render_result(ctx: Ctx, data: Any, children: list[tuple[str, Operation | None]], rest: list[str]) -> Response:
    here = ctx.mount_prefix + ("/" + "/".join(quote(s, safe="@") for s in rest) if rest else "")
    resources, operations = _links(here, children)
    is_op = ctx.op.kind == "operation"
    return _page(ctx.op.mount, ctx.mount_prefix, rest, ctx.principal, title=ctx.op.name,
                 summary=ctx.op.summary, requires=_requires(ctx.op), properties=_properties(data),
                 raw_json=json.dumps(data, indent=2, ensure_ascii=False), resources=resources,
                 operations=operations, templated=_templated(ctx.op.mount, rest, ctx.principal),
                 form=_form_for(ctx.op, here), is_operation=is_op,
                 json_link=None if is_op else f"{here}?f=pjson")


def render_operation_form(op: Operation, prefix: str, rest: list[str], principal: Principal) -> Response:
    here = prefix + "/" + "/".join(quote(s, safe="@") for s in rest)
    return _page(op.mount, prefix, rest, principal, title=op.name, summary=op.summary, requires=_requires(op),
                 form=_form(op, here), json_link=None, is_operation=True)


def render_directory(request: Request, mount: str, prefix: str, rest: list[str],
                     children: list[tuple[str, Operation | None]], principal: Principal) -> Response:
    goto = request.query_params.get("_goto")
    here = prefix + ("/" + "/".join(quote(s, safe="@") for s in rest) if rest else "")
    if goto:
        return RedirectResponse(f"{here}/{quote(goto.strip(), safe='@')}", status_code=302)
    resources, operations = _links(here, children)
    return _page(mount, prefix, rest, principal, resources=resources, operations=operations,
                 templated=_templated(mount, rest, principal))


def render_error(request: Request, mount: str, exc: GeoshareError, body: dict[str, Any],
                 op: Operation | None, principal: Principal | None = None) -> Response:
    segments = [s for s in request.url.path.split("/") if s]
    error = {"code": exc.code, "message": exc.message, "details": exc.details}
    if "error" in body:
        error = {"code": body["error"]["code"], "message": body["error"]["message"],
                 "details": body["error"].get("details", [])}
    form = _form_for(op, request.url.path) if op is not None else None
    return _page(mount, "/" + "/".join(segments[:1]), segments[1:], principal, title=f"Error {exc.code}",
                 error=error, form=form, json_link=None, requires=_requires(op) if op is not None else None)
