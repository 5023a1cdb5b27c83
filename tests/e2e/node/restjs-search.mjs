// Item, group and user search and group sharing with the real ArcGIS REST JS clients against
// geoshare; prints what they saw as JSON.
//
//   node restjs-search.mjs '{"portal": ".../portal/sharing/rest", "admin": "admin", "adminPassword": "...",
//        "word": "<marks the 25,000 bulk items>", "few": "<marks the 5 small items>",
//        "a": "...", "b": "...", "c": "...", "password": "...", "groupId": "...", "groupWord": "..."}'
//
// The corpus is seeded by tests/e2e/test_search_clients.py.  User a owns the group, b is a
// member, c is not.  a creates an item, shares it with the group (shareItemWithGroup first
// searches `id: X AND group: Y`), then each of b and c reads it, its data and searches for it;
// a unshares it (unshareItemWithGroup searches the same way) and b looks again.

import { ArcGISIdentityManager } from "@esri/arcgis-rest-request";
import {
  SearchQueryBuilder, createItem, getItem, getItemData, searchGroups, searchItems, searchUsers,
  shareItemWithGroup, unshareItemWithGroup,
} from "@esri/arcgis-rest-portal";

import { out, step } from "./steps.mjs";

const config = JSON.parse(process.argv[2] ?? "{}");
const { portal, word, few, groupId } = config;

const page = (r) => ({ total: r.total, start: r.start, num: r.num, nextStart: r.nextStart,
                       ids: r.results.map((x) => x.id), titles: r.results.map((x) => x.title ?? x.username),
                       hasNextPage: typeof r.nextPage === "function" });
const signIn = (username, password) => ArcGISIdentityManager.signIn({ username, password, portal });

let admin = null;
await step("signIn", async () => { admin = await signIn(config.admin, config.adminPassword); return admin.username; });

if (admin) {
  let first = null;
  await step("firstPage", async () => {
    first = await searchItems({ q: `title:${few}`, num: 2, sortField: "title", sortOrder: "asc", authentication: admin });
    return page(first);
  });
  await step("nextPage", async () => {
    const second = await first.nextPage();
    return { ...page(second), third: second.nextPage ? "present" : "absent" };
  });
  let built = null;
  await step("builder", async () => {
    const q = new SearchQueryBuilder().match(few).in("title").and().match("CSV").in("type");
    built = await searchItems({ q, num: 2, sortField: "title", authentication: admin });
    return page(built);
  });
  await step("builderNext", async () => page(await built.nextPage()));  // a builder: the next page is anonymous
  await step("deepPage", async () =>
    page(await searchItems({ q: `title:${word}`, num: 100, start: 24_901, sortField: "title", authentication: admin })));
  await step("plainString", async () => page(await searchItems(`title:${few} AND type:"Web Map"`)));
  await step("badQuery", async () => searchItems({ q: "title:(unclosed", authentication: admin }));
  await step("searchGroups", async () =>
    page(await searchGroups({ q: `title:${config.groupWord}`, authentication: admin })));
  await step("searchUsers", async () =>
    page(await searchUsers({ q: `username:${config.b}`, authentication: admin })));
}

const people = {};
for (const who of ["a", "b", "c"]) {
  await step(`signIn-${who}`, async () => { people[who] = await signIn(config[who], config.password); return true; });
}

async function look(who, id, label) {
  const authentication = people[who];
  await step(`${label}-${who}-item`, async () => (await getItem(id, { authentication })).id);
  await step(`${label}-${who}-data`, async () => getItemData(id, { authentication }));
  await step(`${label}-${who}-search`, async () => page(await searchItems({ q: `id:${id}`, authentication })));
  await step(`${label}-${who}-groupSearch`, async () =>
    page(await searchItems({ q: `id:${id} AND group:${groupId}`, authentication })));
}

if (people.a && people.b && people.c) {
  let id = null;
  await step("createItem", async () => {
    const made = await createItem({ item: { title: `${few} shared`, type: "Web Map", text: { layers: [1] } },
                                    authentication: people.a });
    id = made.id;
    return id;
  });
  if (id) {
    await step("share", async () => shareItemWithGroup({ id, groupId, authentication: people.a }));
    await step("shareAgain", async () => shareItemWithGroup({ id, groupId, authentication: people.a }));
    await look("b", id, "shared");
    await look("c", id, "shared");
    await step("unshare", async () => unshareItemWithGroup({ id, groupId, authentication: people.a }));
    await look("b", id, "unshared");
  }
}

console.log(JSON.stringify(out));
