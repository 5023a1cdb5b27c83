"""RSS 2.0 feeds (sharing-api.md §11), for the few operations that offer `f=rss`.

An operation offers the format by naming a second handler: `@operation(..., rss=feed_handler)`,
where `feed_handler(ctx)` returns the `Response` of `feed(channel, entries)`.  Every other
operation keeps refusing `f=rss` (conventions.pick_format).  The handler reads through the same
domain call as the JSON one, so paging and visibility cannot differ between the two.

Text is escaped by the XML serializer (never formatted by hand); dates are RFC 822 in GMT.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from starlette.responses import Response

MEDIA_TYPE = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True)
class Channel:
    title: str
    link: str
    description: str
    last_build: int | None = None  # epoch milliseconds; None: the time the feed is built


@dataclass(frozen=True)
class Entry:
    title: str
    link: str
    description: str
    guid: str  # written with isPermaLink="false": ids, not URLs
    published: int | None = None  # epoch milliseconds
    category: str | None = None
    author: str | None = None


def rfc822(epoch_ms: int | None) -> str:
    """`Tue, 02 Jan 2024 03:04:05 GMT`; None is now."""
    moment = datetime.now(UTC) if epoch_ms is None else datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return format_datetime(moment, usegmt=True)


def _text(parent: ET.Element, tag: str, value: str | None) -> None:
    if value is not None:
        ET.SubElement(parent, tag).text = _xml_safe(value)


def _xml_safe(value: str) -> str:
    """Drop the characters XML 1.0 cannot carry at all (control characters other than tab and
    line ends), which stored text may hold and which would make the whole feed unreadable."""
    return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 0x20)


def _entry(channel: ET.Element, entry: Entry) -> None:
    item = ET.SubElement(channel, "item")
    _text(item, "title", entry.title)
    _text(item, "link", entry.link)
    _text(item, "description", entry.description)
    _text(item, "pubDate", rfc822(entry.published) if entry.published is not None else None)
    ET.SubElement(item, "guid", isPermaLink="false").text = _xml_safe(entry.guid)
    _text(item, "category", entry.category)
    _text(item, "author", entry.author)


def document(channel: Channel, entries: Iterable[Entry]) -> bytes:
    """The whole feed as UTF-8 bytes with its XML declaration."""
    rss = ET.Element("rss", version="2.0")
    head = ET.SubElement(rss, "channel")
    _text(head, "title", channel.title)
    _text(head, "link", channel.link)
    _text(head, "description", channel.description)
    _text(head, "lastBuildDate", rfc822(channel.last_build))
    for entry in entries:
        _entry(head, entry)
    body: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return body


def feed(channel: Channel, entries: Iterable[Entry]) -> Response:
    return Response(document(channel, entries), media_type=MEDIA_TYPE)
