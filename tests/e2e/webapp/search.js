// Item and group search through the ArcGIS Maps SDK (Portal.queryItems / queryGroups with
// PortalQueryParams, following `next()` until the last page), loaded into the test web app by
// tests/e2e/test_maps_sdk_search.py.
import IdentityManager from "@arcgis/core/identity/IdentityManager.js";
import Portal from "@arcgis/core/portal/Portal.js";
import PortalQueryParams from "@arcgis/core/portal/PortalQueryParams.js";

async function every(query, params) {
  const pages = [];
  let result = await query(params);
  pages.push(result);
  while (result.nextQueryParams && result.nextQueryParams.start > 0) {
    result = await query(result.nextQueryParams);
    pages.push(result);
  }
  return { total: pages[0].total, pages: pages.length,
           titles: pages.flatMap((p) => p.results.map((r) => r.title)) };
}

async function search(url, username, token, expires, ssl, word) {
  try {
    if (token) IdentityManager.registerToken({ server: `${url}/sharing/rest`, token, userId: username, expires, ssl });
    const portal = new Portal({ url });
    await portal.load();
    const items = await every((p) => portal.queryItems(p),
                              new PortalQueryParams({ query: `title:${word}`, num: 2, sortField: "title" }));
    const csv = await portal.queryItems(new PortalQueryParams({ query: `title:${word} AND type:CSV`, num: 10 }));
    const groups = await every((p) => portal.queryGroups(p), new PortalQueryParams({ query: `title:${word}`, num: 1 }));
    return { value: { items, csv: { total: csv.total, nextStart: csv.nextQueryParams?.start ?? null },
                      groups } };
  } catch (error) {
    return { error: { name: error?.name ?? null, message: String(error?.message ?? error) } };
  }
}

window.geoshareSearch = { search };
