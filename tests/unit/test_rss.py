"""The RSS 2.0 writer (http/rss.py): structure, escaping, RFC 822 dates."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from geoshare.http import rss


def test_feed_has_channel_items_and_escaped_text():
    channel = rss.Channel("A & B <feed>", "http://h/p?a=1&b=2", "desc", last_build=0)
    entries = [rss.Entry("<b>x</b>", "http://h/i", "say \"hi\" & <script>", "id1", 1_700_000_000_000,
                         category="Web Map", author="amy"),
               rss.Entry("second", "http://h/j", "plain", "id2")]
    body = rss.document(channel, entries)
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert b"<script>" not in body and b"&lt;script&gt;" in body and b"&amp;" in body
    root = ET.fromstring(body)  # noqa: S314 - the feed just written here
    assert root.tag == "rss" and root.get("version") == "2.0"
    head = root.find("channel")
    assert head is not None and head.findtext("title") == "A & B <feed>"
    assert head.findtext("link") == "http://h/p?a=1&b=2"
    assert head.findtext("lastBuildDate") == "Thu, 01 Jan 1970 00:00:00 GMT"
    first, second = head.findall("item")
    assert first.findtext("pubDate") == "Tue, 14 Nov 2023 22:13:20 GMT"
    assert first.findtext("description") == "say \"hi\" & <script>"
    guid = first.find("guid")
    assert guid is not None and guid.text == "id1" and guid.get("isPermaLink") == "false"
    assert (first.findtext("category"), first.findtext("author")) == ("Web Map", "amy")
    assert second.find("pubDate") is None and second.find("category") is None and second.find("author") is None


def test_control_characters_are_dropped_so_the_feed_stays_well_formed():
    body = rss.document(rss.Channel("t", "l", "d"), [rss.Entry("a\x00b\x1fc\td", "l", "x\x07y\n", "g")])
    item = ET.fromstring(body).find("channel/item")  # noqa: S314 - the feed just written here
    assert item is not None and item.findtext("title") == "abc\td" and item.findtext("description") == "xy\n"


def test_rfc822_now_and_media_type():
    assert rss.rfc822(None).endswith(" GMT")
    reply = rss.feed(rss.Channel("t", "l", "d"), [])
    assert reply.media_type == "application/rss+xml; charset=utf-8"
    assert reply.headers["content-type"] == "application/rss+xml; charset=utf-8"
