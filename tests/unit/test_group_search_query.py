"""The group side of the query language (domain/group_search.py): the filter fields of §7.3,
every group field of §7.4 translating to SQL, and a property: any text becomes a predicate or an
InvalidParameter, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geoshare.domain import group_search
from geoshare.domain.query_language import And, Or, Required, Term, parse
from geoshare.errors import InvalidParameter


@pytest.mark.parametrize("field", ["orgid", "accountid", "owner", "id", "access"])
def test_filter_fields_are_required_side_by_side(field):
    assert parse(f"a {field}:x", group_search.FIELDS, group_search.FILTER_FIELDS) == \
        And((Term(field, "x"), Term(None, "a")))


@pytest.mark.parametrize("field", ["title", "tags", "description"])
def test_other_fields_stay_alternatives(field):
    assert parse(f"a {field}:x", group_search.FIELDS, group_search.FILTER_FIELDS) == \
        Or((Term(None, "a"), Term(field, "x")))


def test_user_search_keeps_its_own_filter_fields():
    """owner is a filter for groups only: the user parser's default is orgid/accountid."""
    assert parse("owner:x", group_search.FIELDS) == Term("owner", "x")
    assert parse("owner:x", group_search.FIELDS, group_search.FILTER_FIELDS) == Required(Term("owner", "x"))


@pytest.mark.parametrize("field", sorted(group_search.FIELDS))
def test_every_field_translates(field):
    value = {"created": "1", "modified": "1", "isinvitationonly": "true", "isviewonly": "false"}.get(field, "x")
    assert group_search.predicate(f"{field}:{value}") is not None


@pytest.mark.parametrize("field", ["username", "email", "type", "group", "numviews"])
def test_fields_of_other_searches_are_unknown(field):
    with pytest.raises(InvalidParameter) as caught:
        group_search.predicate(f"{field}:x")
    assert caught.value.details == [f"'q': unknown field '{field}' at position 1."]


PIECES = [*'ab *?:"()[]{}^+-!&|\\', " ", " AND ", " OR ", " NOT ", " TO ", "title:", "owner:", "created:", "7"]


@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_any_text_translates_or_is_refused(query):
    try:
        assert str(group_search.predicate(query).compile())
    except InvalidParameter:
        pass
