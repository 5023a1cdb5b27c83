// Group membership through the real ArcGIS REST JS clients against geoshare; prints what they saw.
//
//   node restjs-group-members.mjs '{"portal": ".../portal/sharing/rest", "admin": "...", "adminPassword": "...",
//        "groupId": "...", "openGroupId": "...", "users": ["..."], "guest": "...", "guestPassword": "...",
//        "decliner": "...", "declinerPassword": "..."}'
//
// tests/e2e/test_group_members_clients.py asserts on the printed object.  Run with
// NODE_TLS_REJECT_UNAUTHORIZED=0 for the self-signed certificate.

import { ArcGISIdentityManager } from "@esri/arcgis-rest-request";
import {
  acceptInvitation,
  addGroupUsers,
  declineInvitation,
  getGroupUsers,
  getUserInvitations,
  inviteGroupUsers,
  joinGroup,
  leaveGroup,
  removeGroupUsers,
  searchGroupUsers,
} from "@esri/arcgis-rest-portal";

import { out, step } from "./steps.mjs";

const config = JSON.parse(process.argv[2] ?? "{}");
const { portal, groupId, openGroupId, users } = config;

let admin = null;
let guest = null;
let decliner = null;
await step("signIn", async () => {
  admin = await ArcGISIdentityManager.signIn({ username: config.admin, password: config.adminPassword, portal });
  guest = await ArcGISIdentityManager.signIn({ username: config.guest, password: config.guestPassword, portal });
  decliner = await ArcGISIdentityManager.signIn({
    username: config.decliner, password: config.declinerPassword, portal });
  return true;
});

async function invitationTo(session, id) {
  const listed = await getUserInvitations({ authentication: session });
  return listed.userInvitations.find((i) => i.groupId === id).id;
}

if (admin && guest && decliner) {
  // 28 names: two batches of 25 and 3, sent at once by the client
  await step("addGroupUsers", async () =>
    addGroupUsers({ id: groupId, users: [...users, "rj_nobody"], authentication: admin }));
  await step("getGroupUsers", async () => getGroupUsers(groupId, { authentication: admin }));
  await step("searchGroupUsers", async () => searchGroupUsers(groupId, { num: 10, authentication: admin }));
  await step("searchGroupUsersByName", async () =>
    searchGroupUsers(groupId, { name: users[3], sortField: "username", sortOrder: "asc", authentication: admin }));
  await step("removeGroupUsers", async () =>
    removeGroupUsers({ id: groupId, users: users.slice(0, 5), authentication: admin }));
  await step("inviteGroupUsers", async () =>
    inviteGroupUsers({ id: groupId, users: [config.guest, config.decliner], role: "group_member",
                       expiration: 1440, authentication: admin }));
  await step("acceptInvitation", async () =>
    acceptInvitation({ invitationId: await invitationTo(guest, groupId), authentication: guest }));
  await step("declineInvitation", async () =>
    declineInvitation({ invitationId: await invitationTo(decliner, groupId), authentication: decliner }));
  await step("joinGroup", async () => joinGroup({ id: openGroupId, authentication: guest }));
  await step("leaveGroup", async () => leaveGroup({ id: openGroupId, authentication: guest }));
  await step("leaveAgain", async () => leaveGroup({ id: openGroupId, authentication: guest }));
}

console.log(JSON.stringify(out));
