"""The known item types (sharing-api.md §6.14).

The table lives in `item_types.json` beside this module so that it can be read, diffed and
extended without touching code; `parse_table` checks any such text, which is the seam a later
setting for extra types would use.  Lookups ignore case and surrounding whitespace, and always
answer with the canonical spelling (`csv` is the type `CSV`).

`data` says what an item of the type carries when added: a `file`, a `url`, `text` (JSON
mostly), either of two (`url_or_text`, `file_or_url`), or `none` (registrations such as OAuth
applications).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

DATA_KINDS = frozenset({"file", "url", "text", "url_or_text", "file_or_url", "none"})
_ACCEPTED = {  # data source given -> the kinds that take it
    "file": frozenset({"file", "file_or_url"}),
    "url": frozenset({"url", "url_or_text", "file_or_url"}),
    "text": frozenset({"text", "url_or_text"}),
}


@dataclass(frozen=True)
class ItemType:
    type: str  # canonical spelling
    data: str  # one of DATA_KINDS
    extensions: tuple[str, ...]  # lower case, no dot
    keywords: tuple[str, ...]  # default typeKeywords
    purpose_keywords: tuple[str, ...] = ()  # one of these is expected (Web Mapping Application)

    def accepts(self, source: str) -> bool:
        """Whether data given as `source` ("file", "url" or "text") suits this type."""
        return self.data in _ACCEPTED.get(source, frozenset())


def parse_table(text: str) -> tuple[ItemType, ...]:
    """Item types from JSON text; ValueError naming the first bad entry."""
    entries = json.loads(text)
    if not isinstance(entries, list):
        raise ValueError("item type table must be a JSON array")
    table = tuple(_entry(raw, index) for index, raw in enumerate(entries))
    _check_unique(table)
    return table


def _entry(raw: Any, index: int) -> ItemType:
    if not isinstance(raw, Mapping):
        raise ValueError(f"item type #{index}: not an object")
    name = raw.get("type")
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise ValueError(f"item type #{index}: 'type' must be a trimmed, non-blank string")
    if raw.get("data") not in DATA_KINDS:
        raise ValueError(f"item type {name!r}: 'data' must be one of {sorted(DATA_KINDS)}")
    return ItemType(
        type=name,
        data=raw["data"],
        extensions=_extensions(raw.get("extensions", []), name),
        keywords=_words(raw.get("keywords"), name, "keywords", allow_empty=False),
        purpose_keywords=_words(raw.get("purposeKeywords", []), name, "purposeKeywords", allow_empty=True),
    )


def _extensions(raw: Any, name: str) -> tuple[str, ...]:
    values = _words(raw, name, "extensions", allow_empty=True)
    for value in values:
        if value != value.lower() or "." in value or value != value.strip():
            raise ValueError(f"item type {name!r}: extension {value!r} must be lower case, without a dot")
    return values


def _words(raw: Any, name: str, field: str, *, allow_empty: bool) -> tuple[str, ...]:
    if not isinstance(raw, list) or (not raw and not allow_empty):
        raise ValueError(f"item type {name!r}: {field!r} must be a {'' if allow_empty else 'non-empty '}list")
    if not all(isinstance(word, str) and word.strip() for word in raw):
        raise ValueError(f"item type {name!r}: {field!r} must hold non-blank strings")
    return tuple(raw)


def _check_unique(table: tuple[ItemType, ...]) -> None:
    seen: set[str] = set()
    for item_type in table:
        key = item_type.type.casefold()
        if key in seen:
            raise ValueError(f"item type {item_type.type!r} is listed twice (ignoring case)")
        seen.add(key)


def load() -> tuple[ItemType, ...]:
    """The table shipped with the package."""
    text = resources.files("geoshare.domain").joinpath("item_types.json").read_text(encoding="utf-8")
    return parse_table(text)


def _by_extension(table: tuple[ItemType, ...]) -> dict[str, ItemType]:
    # An extension several types share (.zip) names none of them: guessing would mislabel data.
    owners: dict[str, list[ItemType]] = {}
    for item_type in table:
        for extension in item_type.extensions:
            owners.setdefault(extension, []).append(item_type)
    return {ext: types[0] for ext, types in owners.items() if len(types) == 1}


ALL: tuple[ItemType, ...] = load()
_BY_NAME = {item_type.type.casefold(): item_type for item_type in ALL}
_BY_EXTENSION = _by_extension(ALL)


def canonical(type_text: str) -> ItemType | None:
    """The known type `type_text` names, ignoring case and surrounding whitespace."""
    return _BY_NAME.get(type_text.strip().casefold())


def type_for_file_name(name: str) -> ItemType | None:
    """The type a file name's extension implies, for clients that send a file but no type."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = base.rpartition(".")
    if not dot or not stem:
        return None
    return _BY_EXTENSION.get(extension.lower())


def default_keywords(item_type: ItemType, given: Iterable[str]) -> list[str]:
    """The type's keywords, then the caller's in their order; trimmed, blanks and repeats dropped."""
    merged: list[str] = []
    seen: set[str] = set()
    for word in (*item_type.keywords, *given):
        word = word.strip()
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            merged.append(word)
    return merged
