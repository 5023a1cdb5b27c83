"""Parameter declarations and the one place where request values are coerced and checked.

ArcGIS conventions handled here, once for every operation (sharing-api.md §1.2): names are
case-insensitive; query and body are merged (the body wins); booleans are true/false in any
case or 1/0; lists are comma-separated text or a JSON array; JSON values are text; integers
are decimal text.  Every failure is an InvalidParameter naming the parameter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile

from geoshare.domain.images import Upload
from geoshare.errors import InvalidParameter

MAX_INT = 2**53 - 1  # the largest integer a JavaScript client reads exactly
# file_or_name: a file upload, or text naming a file already stored (clients send back the
# object they read, whose `thumbnail` is a file name).
KINDS = ("string", "int", "bool", "list", "json", "file", "file_or_name", "password")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str = "string"
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind

    @property
    def secret(self) -> bool:
        return self.kind == "password"


def _fail(message: str, detail: str) -> InvalidParameter:
    return InvalidParameter(message, [detail])


def coerce(param: Param, raw: Any, *, message: str, default_max: int) -> Any:
    """Turn one raw value (str or UploadFile) into the declared type, or raise InvalidParameter."""
    name = param.name
    if param.kind == "file":
        if raw is None or isinstance(raw, UploadFile):
            return raw
        if isinstance(raw, str) and raw == "":
            return None
        raise _fail(message, f"'{name}' must be a file.")
    if isinstance(raw, UploadFile):
        if param.kind == "file_or_name":
            return raw
        raise _fail(message, f"'{name}' must be a text value, not a file.")
    text = raw.strip() if param.kind != "password" else raw
    limit = param.max_length or default_max
    if len(text) > limit:
        raise _fail(message, f"'{name}' is longer than {limit} characters.")
    if text == "":
        return None
    if param.kind in ("string", "password", "file_or_name"):
        if param.choices is not None:
            for choice in param.choices:
                if choice.lower() == text.lower():
                    return choice
            raise _fail(message, f"'{name}' must be one of: {', '.join(param.choices)}.")
        return text
    if param.kind == "int":
        try:
            value = int(text)
        except ValueError:
            raise _fail(message, f"'{name}' must be an integer.") from None
        if param.minimum is not None and value < param.minimum:
            raise _fail(message, f"'{name}' must be at least {param.minimum}.")
        if param.maximum is not None and value > param.maximum:
            raise _fail(message, f"'{name}' must be at most {param.maximum}.")
        if abs(value) > MAX_INT:  # beyond what JSON clients and 64-bit columns handle
            raise _fail(message, f"'{name}' is out of range.")
        return value
    if param.kind == "bool":
        low = text.lower()
        if low in ("true", "1"):
            return True
        if low in ("false", "0"):
            return False
        raise _fail(message, f"'{name}' must be true or false.")
    if param.kind == "list":
        if text.startswith("["):
            try:
                items = json.loads(text)
            except ValueError:
                raise _fail(message, f"'{name}' is not a valid JSON array.") from None
            return [str(i).strip() for i in items if str(i).strip()]
        return [part.strip() for part in text.split(",") if part.strip()]
    try:  # json
        return json.loads(text)
    except ValueError:
        raise _fail(message, f"'{name}' is not valid JSON.") from None


def coerce_all(params: tuple[Param, ...], raw: dict[str, Any], *, message: str, default_max: int) -> dict[str, Any]:
    values: dict[str, Any] = {}
    missing = []
    for param in params:
        value = coerce(param, raw.get(param.name.lower()), message=message, default_max=default_max) \
            if param.name.lower() in raw else None
        if value is None:
            if param.required:
                missing.append(f"'{param.name}' must be specified.")
            value = param.default
        values[param.name] = value
    if missing:
        raise InvalidParameter(message, missing)
    return values


async def small_file(value: UploadFile | str | None, limit: int) -> Upload | None:
    """A small file parameter (a thumbnail) read into memory, at most one byte over `limit` so the
    domain can refuse a larger one; None for no file (an empty file field of a form is none)."""
    if value is None or isinstance(value, str) or (not value.filename and not value.size):
        return None
    return Upload(value.filename, await value.read(limit + 1))
