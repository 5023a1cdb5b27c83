// Creating and managing a group with the real ArcGIS REST JS clients; prints what they saw as JSON.
//
//   node restjs-group-admin.mjs '{"portal": "https://127.0.0.1:PORT/portal/sharing/rest",
//                                 "owner": "name", "ownerPassword": "...", "title": "unique title"}'
//
// Every step records its result or the error the client raised;
// tests/e2e/test_group_admin_clients.py asserts on the printed object.  Run with
// NODE_TLS_REJECT_UNAUTHORIZED=0 for the self-signed certificate.  Exit status 0 unless the
// script itself breaks.

import { ArcGISIdentityManager } from "@esri/arcgis-rest-request";
import {
  createGroup,
  getGroup,
  protectGroup,
  removeGroup,
  unprotectGroup,
  updateGroup,
} from "@esri/arcgis-rest-portal";

import { out, step } from "./steps.mjs";

const config = JSON.parse(process.argv[2] ?? "{}");
const { portal, title } = config;

let session = null;
await step("signIn", async () => {
  session = await ArcGISIdentityManager.signIn({ username: config.owner, password: config.ownerPassword, portal });
  return session.username;
});

let id = null;
if (session) {
  const authentication = session;
  await step("createGroup", async () => {
    const made = await createGroup({
      group: { title, access: "org", tags: ["rest", "js"], snippet: "made by REST JS", sortField: "modified",
               sortOrder: "desc", isInvitationOnly: true },
      authentication,
    });
    id = made.group?.id ?? null;
    return { success: made.success, id, title: made.group?.title, access: made.group?.access,
             tags: made.group?.tags, isInvitationOnly: made.group?.isInvitationOnly };
  });
  await step("createDuplicate", async () => createGroup({ group: { title, access: "private" }, authentication }));
  if (id) {
    await step("getGroup", async () => {
      const g = await getGroup(id, { authentication });
      return { id: g.id, owner: g.owner, snippet: g.snippet, sortField: g.sortField, protected: g.protected,
               userMembership: g.userMembership };
    });
    await step("updateGroup", async () =>
      updateGroup({ group: { id, snippet: "changed by REST JS", tags: ["updated"] }, authentication }));
    // The documented use: the whole group read back, changed, and sent again.
    await step("updateGroupWholeObject", async () => {
      const whole = await getGroup(id, { authentication });
      return updateGroup({ group: { ...whole, description: "<p>whole object</p>" }, authentication });
    });
    await step("getGroupAfterUpdate", async () => {
      const g = await getGroup(id, { authentication });
      return { snippet: g.snippet, tags: g.tags, description: g.description, title: g.title, access: g.access };
    });
    await step("protectGroup", async () => protectGroup({ id, authentication }));
    await step("removeProtected", async () => removeGroup({ id, authentication }));
    await step("getGroupProtected", async () => (await getGroup(id, { authentication })).protected);
    await step("unprotectGroup", async () => unprotectGroup({ id, authentication }));
    await step("removeGroup", async () => removeGroup({ id, authentication }));
    await step("getGroupAfterRemove", async () => getGroup(id, { authentication }));
  }
}

console.log(JSON.stringify(out));
