// Group search and a group's content with the real ArcGIS REST JS clients against geoshare; prints
// what they saw as JSON.
//
//   node restjs-group-search.mjs '{"portal": "https://127.0.0.1:PORT/portal/sharing/rest",
//                                  "admin": "admin", "adminPassword": "...", "word": "gsx1a2b3c",
//                                  "groupId": "<a public group of the corpus>"}'
//
// The corpus (seeded by tests/e2e/test_group_search_clients.py): 120 public groups titled
// "<word> 000" ... "<word> 119" owned by the administrator, and private groups with the same word
// that only their owner sees.  Every step records its result or the error the client raised.

import { ArcGISIdentityManager } from "@esri/arcgis-rest-request";
import { SearchQueryBuilder, getGroupContent, searchGroups } from "@esri/arcgis-rest-portal";

import { out, step } from "./steps.mjs";

const config = JSON.parse(process.argv[2] ?? "{}");
const { portal, word, groupId } = config;

const page = (r) => ({ total: r.total, start: r.start, num: r.num, nextStart: r.nextStart,
                       titles: r.results.map((g) => g.title), hasNextPage: typeof r.nextPage === "function" });

let admin = null;
await step("signIn", async () => {
  admin = await ArcGISIdentityManager.signIn({ username: config.admin, password: config.adminPassword, portal });
  return admin.username;
});

if (admin) {
  let first = null;
  await step("firstPage", async () => {
    first = await searchGroups({ q: `title:${word}`, num: 100, sortField: "title", sortOrder: "asc",
                                 authentication: admin });
    return page(first);
  });
  await step("nextPage", async () => page(await first.nextPage()));
  await step("builder", async () => {
    const q = new SearchQueryBuilder().match(word).in("title").and().match(config.admin).in("owner");
    return page(await searchGroups({ q, num: 5, sortField: "created", sortOrder: "desc", authentication: admin }));
  });
  await step("anonymous", async () => page(await searchGroups({ q: word, num: 100, start: 101, portal })));
  await step("groupMember", async () =>
    page(await searchGroups({ q: word, num: 3, searchUserAccess: "groupMember", authentication: admin })));
  await step("badQuery", async () => searchGroups({ q: "nosuchfield:x", authentication: admin }));
  await step("getGroupContent", async () => getGroupContent(groupId, { authentication: admin }));
  await step("getGroupContentPaged", async () =>
    getGroupContent(groupId, { paging: { start: 1, num: 10 }, authentication: admin }));
  await step("getGroupContentMissing", async () => getGroupContent("0".repeat(32), { authentication: admin }));
}

console.log(JSON.stringify(out));
