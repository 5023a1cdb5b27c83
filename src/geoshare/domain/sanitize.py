"""Descriptive HTML cleaned on write (sharing-api.md §9), with nh3.

Fields that take limited HTML (descriptions, licence and access information) keep the
allow-listed elements and attributes; plain-text fields (titles, names, tags) lose every tag.
The stored text is the cleaned text: what a reader gets back is what was kept.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

import nh3

from geoshare.errors import InvalidParameter

_GLOBAL = {"class", "dir", "lang", "title", "style"}
_TABLE_CELL = {"colspan", "rowspan", "align", "valign", "width", "height", "nowrap", "bgcolor"}
_MEDIA = {"src", "controls", "width", "height", "poster", "loop", "muted", "preload", "type", "kind", "srclang",
          "label"}
_PLAIN = (
    "abbr acronym address article aside b bdi bdo big br center cite code dd details dfn div dl dt em "
    "figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i kbd mark nav p pre rp rt ruby s samp section "
    "small span strike strong sub summary sup tt u var wbr"
).split()
ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "target", "name"},
    "img": {"src", "alt", "width", "height", "border", "align", "hspace", "vspace"},
    "table": {"border", "cellpadding", "cellspacing", "width", "align", "summary", "bgcolor"},
    "td": _TABLE_CELL, "th": _TABLE_CELL,
    **{tag: {"align", "valign"} for tag in ("tr", "tbody", "thead", "tfoot", "caption")},
    "col": {"span", "width", "align"}, "colgroup": {"span", "width", "align"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type", "reversed"}, "ul": {"type"}, "li": {"value"},
    **{tag: {"cite", "datetime"} for tag in ("blockquote", "q", "del", "ins")},
    "map": {"name"}, "area": {"shape", "coords", "href", "alt", "target"},
    **{tag: _MEDIA for tag in ("video", "audio", "source", "track")},
    "time": {"datetime"},
    **{tag: set() for tag in _PLAIN},
}
TAGS = set(ATTRIBUTES)
# Elements removed together with their content (the rest keep their text).
DROPPED = {"script", "style", "iframe", "object", "embed", "applet", "form", "input", "button", "select",
           "textarea", "link", "meta", "base", "frame", "frameset", "noscript", "template", "svg", "math"}
SCHEMES = {"http", "https", "mailto", "ftp", "data"}
_BAD_STYLE = re.compile(r"expression\s*\(|javascript:|vbscript:|behavior\s*:|-moz-binding|position\s*:\s*fixed",
                        re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z!?][^>]*>?")
_DATA_IMAGE = re.compile(r"^\s*data:image/", re.IGNORECASE)


def _filter(element: str, attribute: str, value: str) -> str | None:
    low = value.strip().lower()
    if low.startswith(("javascript:", "vbscript:")):
        return None
    if attribute == "style":
        return None if _BAD_STYLE.search(value) else value
    if attribute in ("href", "src") and low.startswith("data:"):
        return value if element == "img" and _DATA_IMAGE.match(value) else None
    if attribute == "target" and low not in ("_blank", "_self", "_parent", "_top"):
        return None
    return value


def clean_html(text: str | None) -> str | None:
    """Descriptive HTML reduced to the allow-list; None stays None."""
    if text is None:
        return None
    # nh3 drops comments and gives links rel="noopener noreferrer" by default (the tests pin both).
    return nh3.clean(text, tags=TAGS, clean_content_tags=DROPPED, attributes={"*": _GLOBAL, **ATTRIBUTES},
                     attribute_filter=_filter, url_schemes=SCHEMES)


def plain_text(text: str | None) -> str | None:
    """Every tag removed (titles, names, tags); entities decoded to the characters they stand for."""
    if text is None:
        return None
    cleaned = nh3.clean(text, tags=set(), clean_content_tags=DROPPED)
    decoded = html.unescape(cleaned)
    # Escaped markup ("&lt;b&gt;") decodes to markup again: that goes too, so no tag survives.
    return _TAG.sub("", decoded)


def plain_line(value: Any) -> str:
    """`value` as plain text without surrounding space (titles, names, list entries)."""
    return (plain_text(str(value)) or "").strip()  # pragma: no mutate (a string in, a string out)


def plain_list(name: str, values: Iterable[Any], *, most: int, longest: int, message: str) -> list[str]:
    """Tags, keywords, categories: plain text, no empty entries, no repeats ignoring case (the
    first spelling kept), at most `most` entries of at most `longest` characters; else
    InvalidParameter(message) naming the parameter."""
    kept: dict[str, str] = {}
    for value in values:
        text = plain_line(value)
        if len(text) > longest:
            raise InvalidParameter(message, [f"'{name}' has an entry longer than {longest} characters."])
        if text:
            kept.setdefault(text.casefold(), text)
    if len(kept) > most:
        raise InvalidParameter(message, [f"'{name}' has more than {most} entries."])
    return list(kept.values())
