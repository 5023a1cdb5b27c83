// The signed-in user's folders and items through the ArcGIS Maps SDK (PortalUser.fetchFolders and
// fetchItems), loaded into the test web app by tests/e2e/test_maps_sdk_content.py.
import IdentityManager from "@arcgis/core/identity/IdentityManager.js";
import Portal from "@arcgis/core/portal/Portal.js";

async function fetchContent(url, username, token, expires, ssl) {
  try {
    IdentityManager.registerToken({ server: `${url}/sharing/rest`, token, userId: username, expires, ssl });
    const portal = new Portal({ url });
    await portal.load();
    const folders = await portal.user.fetchFolders();
    const root = await portal.user.fetchItems({ num: 100 });
    const inFolders = {};
    for (const folder of folders) {
      const found = await portal.user.fetchItems({ folder, num: 2 });
      const next = found.nextStart > 0 ? await portal.user.fetchItems({ folder, num: 2, start: found.nextStart }) : null;
      inFolders[folder.id] = { total: found.total, nextStart: found.nextStart,
                               titles: [...found.items, ...(next ? next.items : [])].map((i) => i.title) };
    }
    return { value: { folders: folders.map((f) => ({ id: f.id, title: f.title })),
                      root: root.items.map((i) => ({ id: i.id, title: i.title, owner: i.owner })),
                      inFolders } };
  } catch (error) {
    return { error: { name: error?.name ?? null, message: String(error?.message ?? error) } };
  }
}

window.geoshareContent = { fetchContent };
