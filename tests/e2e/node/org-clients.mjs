// The organisation through the real ArcGIS REST JS clients: member search, user search,
// portal settings and an update of the organisation, then what getSelf/getPortal report.
//
//   node org-clients.mjs '{"portal": "https://127.0.0.1:PORT/portal/sharing/rest",
//                          "username": "admin", "password": "...", "orgId": "...",
//                          "description": "...", "redirectUri": "https://app.example.org/cb"}'
//
// Every step records its result or the error the client raised; tests/e2e/test_org_clients.py
// asserts on the printed JSON object.  Exit status 0 unless the script itself breaks.

import { ArcGISIdentityManager, request } from "@esri/arcgis-rest-request";
import {
  getPortal,
  getPortalSettings,
  getSelf,
  isServiceNameAvailable,
  searchCommunityUsers,
  searchUsers,
  SearchQueryBuilder,
} from "@esri/arcgis-rest-portal";

import { out, step } from "./steps.mjs";

const config = JSON.parse(process.argv[2] ?? "{}");
const { portal, username, password, orgId } = config;



function page(r) {
  return {
    total: r.total,
    start: r.start,
    num: r.num,
    nextStart: r.nextStart,
    query: r.query ?? null,
    hasNextPage: typeof r.nextPage === "function",
    usernames: r.results.map((u) => u.username),
    withEmail: r.results.filter((u) => Object.prototype.hasOwnProperty.call(u, "email")).length,
  };
}

const session = await ArcGISIdentityManager.signIn({ username, password, portal });

await step("searchUsers", async () => page(await searchUsers({ q: "river", num: 5, authentication: session })));

await step("searchUsersNextPage", async () => {
  const first = await searchUsers({ q: "river", num: 5, authentication: session });
  return page(await first.nextPage());
});

await step("searchUsersBuilder", async () => {
  const q = new SearchQueryBuilder()
    .match("River Person 7")
    .in("fullname")
    .and()
    .match(orgId)
    .in("orgid");
  return { q: q.toParam(), ...page(await searchUsers({ q, authentication: session })) };
});

await step("searchUsersSorted", async () =>
  page(await searchUsers({ q: "river", num: 3, sortField: "username", sortOrder: "desc", authentication: session })));

await step("searchCommunityUsers", async () =>
  page(await searchCommunityUsers({ q: `username:member_00* AND accountid:${orgId}`, num: 100, authentication: session })));

await step("badQuery", async () => page(await searchCommunityUsers({ q: "title:maps", authentication: session })));

await step("updatePortal", async () =>
  request(`${portal}/portals/self/update`, {
    params: { description: config.description, allowedRedirectUris: [config.redirectUri], region: "FR" },
    authentication: session,
  }));

await step("getSelf", async () => {
  const self = await getSelf({ authentication: session });
  return { id: self.id, description: self.description, region: self.region, redirect: self.allowedRedirectUris };
});

await step("getPortal", async () => {
  const p = await getPortal(orgId, { authentication: session });
  return { id: p.id, description: p.description, user: p.user?.username ?? null };
});

await step("getPortalSettings", async () => getPortalSettings(null, { authentication: session }));

await step("isServiceNameAvailable", async () => isServiceNameAvailable("river_parcels", "Feature Service", session));

process.stdout.write(JSON.stringify(out) + "\n");
