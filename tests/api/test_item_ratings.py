"""Ratings (sharing-api.md §6.13): 1.0 to 5.0, never by the owner, re-rating overwrites,
avgRating and numRatings kept true."""

from __future__ import annotations

import pytest

from tests.api.sharing_support import call, error_of, get, item_row, member
from tests.conftest import make_item


async def test_rate_overwrite_average_and_withdraw(client, svc):
    await member(client, svc, "rt_owner")
    a, b = await member(client, svc, "rt_a"), await member(client, svc, "rt_b")
    item = await make_item(svc, "rt_owner", "Map", shared_org=True)
    path = f"content/items/{item.id}"
    assert await get(client, f"{path}/rating", a) == {}
    assert await call(client, f"{path}/addRating", a, rating="4") == {"success": True}
    assert await call(client, f"{path}/addRating", b, rating="1.5") == {"success": True}
    row = await item_row(svc, item.id)
    assert (row.num_ratings, row.avg_rating) == (2, pytest.approx(2.75))
    rated_at = svc.clock.pin()
    await call(client, f"{path}/addRating", a, rating="5.0")
    mine = await get(client, f"{path}/rating", a)
    assert mine == {"rating": 5.0, "created": rated_at}
    row = await item_row(svc, item.id)
    assert (row.num_ratings, row.avg_rating) == (2, pytest.approx(3.25))
    assert await call(client, f"{path}/deleteRating", b) == {"success": True}
    row = await item_row(svc, item.id)
    assert (row.num_ratings, row.avg_rating) == (1, pytest.approx(5.0))
    assert await get(client, f"{path}/rating", b) == {}
    await call(client, f"{path}/deleteRating", a)
    row = await item_row(svc, item.id)
    assert (row.num_ratings, row.avg_rating) == (0, 0.0)


@pytest.mark.parametrize("value", ["0.99", "5.01", "0", "6", "nan", "inf", "-1", "four"])
async def test_out_of_range_ratings_are_refused(client, svc, value):
    await member(client, svc, "rr_owner")
    a = await member(client, svc, "rr_a")
    item = await make_item(svc, "rr_owner", "Map", shared_org=True)
    body = await call(client, f"content/items/{item.id}/addRating", a, rating=value)
    assert error_of(body)["code"] == 400 and "'rating'" in " ".join(error_of(body)["details"])
    assert (await item_row(svc, item.id)).num_ratings == 0


@pytest.mark.parametrize("value", ["1", "1.0", "5", "5.0", "3.3"])
async def test_boundary_ratings_are_accepted(client, svc, value):
    await member(client, svc, "rb_owner")
    a = await member(client, svc, "rb_a")
    item = await make_item(svc, "rb_owner", "Map", shared_org=True)
    assert await call(client, f"content/items/{item.id}/addRating", a, rating=value) == {"success": True}
    assert (await item_row(svc, item.id)).avg_rating == pytest.approx(float(value))


async def test_owner_hidden_and_anonymous_cannot_rate(client, svc):
    owner = await member(client, svc, "ro_owner")
    other = await member(client, svc, "ro_other")
    item = await make_item(svc, "ro_owner", "Map", shared_public=True, shared_org=True)
    hidden = await make_item(svc, "ro_owner", "Hidden")
    own = await call(client, f"content/items/{item.id}/addRating", owner, rating="5")
    assert error_of(own)["code"] == 400 and "Owners" in error_of(own)["details"][0]
    assert error_of(await call(client, f"content/items/{hidden.id}/addRating", other, rating="5"))[
        "messageCode"] == "CONT_0001"
    assert error_of(await call(client, f"content/items/{item.id}/addRating", None, rating="5"))["code"] == 499
    assert error_of(await get(client, f"content/items/{hidden.id}/rating", other))["messageCode"] == "CONT_0001"
    for found in (item, hidden):
        assert (await item_row(svc, found.id)).num_ratings == 0


async def test_concurrent_raters_and_commenters_are_all_counted(client, svc):
    import asyncio

    await member(client, svc, "rc_owner")
    item = await make_item(svc, "rc_owner", "Map", shared_org=True)
    tokens = [await member(client, svc, f"rc_{n}") for n in range(8)]
    rates = [call(client, f"content/items/{item.id}/addRating", t, rating=str(1 + n % 5)) for n, t in enumerate(tokens)]
    notes = [call(client, f"content/items/{item.id}/addComment", t, comment="same time") for t in tokens]
    answers = await asyncio.gather(*rates, *notes)
    assert all(a.get("success") is True for a in answers), answers
    row = await item_row(svc, item.id)
    assert (row.num_ratings, row.num_comments) == (8, 8)
    assert row.avg_rating == pytest.approx(sum(1 + n % 5 for n in range(8)) / 8)
