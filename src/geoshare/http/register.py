"""Import every handler module so its operations join the table."""

from geoshare.http import portaladmin, portaladmin_security  # noqa: F401
from geoshare.http.admin import site  # noqa: F401
from geoshare.http.sharing import (  # noqa: F401
    community_users,
    group_members,
    group_search,
    groups,
    item_edits,
    item_files,
    item_sharing,
    item_social,
    items,
    notifications,
    oauth2,
    portal_members,
    portal_resources,
    portal_roles,
    portals,
    root,
    search,
    user_content,
    user_search,
)
