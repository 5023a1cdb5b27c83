"""Import every handler module so its operations join the table."""

from geoshare.http import portaladmin  # noqa: F401
from geoshare.http.admin import site  # noqa: F401
from geoshare.http.sharing import community_users, oauth2, portal_resources, portals, root, user_search  # noqa: F401
