"""The share calls' limits (domain/item_sharing.check_counts): 100 groups and 100 items pass, one
more is refused with the call's message."""

from __future__ import annotations

import pytest

from geoshare.domain.item_sharing import check_counts
from geoshare.errors import InvalidParameter


def test_100_groups_and_items_pass():
    check_counts(["g"] * 100)
    check_counts(["g"] * 100, ["i"] * 100)


def test_101_groups_or_items_are_refused():
    with pytest.raises(InvalidParameter) as caught:
        check_counts(["g"] * 101)
    assert (caught.value.message, caught.value.details) == (
        "Unable to share item.", ["'groups' names more than 100 groups."])
    with pytest.raises(InvalidParameter) as caught:
        check_counts(["g"], ["i"] * 101)
    assert (caught.value.message, caught.value.details) == (
        "Unable to share items.", ["'items' names more than 100 items."])
