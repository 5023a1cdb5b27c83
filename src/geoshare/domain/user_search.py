"""The user fields of the query language (sharing-api.md §7.4); the parser itself is shared with
the group search in query_language.py and re-exported here for the user search's callers."""

from __future__ import annotations

from geoshare.domain.query_language import (
    FILTER_FIELDS,
    MESSAGE,
    All,
    And,
    Node,
    Not,
    Or,
    Range,
    Required,
    Term,
    Token,
    parse,
    tokenize,
)

# The user fields of sharing-api.md §7.4.
FIELDS = frozenset({"username", "fullname", "firstname", "lastname", "description", "tags", "role", "provider",
                    "orgid", "accountid", "userlicensetype", "created", "modified", "lastlogin", "email", "disabled"})

__all__ = ["FIELDS", "FILTER_FIELDS", "MESSAGE", "All", "And", "Node", "Not", "Or", "Range", "Required", "Term",
           "Token", "parse", "tokenize"]
