// The user calls of the real ArcGIS REST JS clients against geoshare; prints what they saw as JSON.
//
//   node users-restjs.mjs '{"portal": "https://127.0.0.1:PORT/portal/sharing/rest",
//                           "member": "name", "memberPassword": "...",
//                           "admin": "admin", "adminPassword": "..."}'
//
// Every step records its result or the error the client raised; tests/e2e/test_users_clients.py
// asserts on the printed object.  Run with NODE_TLS_REJECT_UNAUTHORIZED=0 for the self-signed
// certificate.  Exit status 0 unless the script itself breaks.

import { ArcGISIdentityManager } from "@esri/arcgis-rest-request";
import {
  getUser,
  getUserInvitations,
  getUserNotifications,
  getUserProperties,
  getUserTags,
  removeNotification,
  setUserProperties,
  updateUser,
} from "@esri/arcgis-rest-portal";

import { out, step } from "./steps.mjs";

const config = JSON.parse(process.argv[2] ?? "{}");
const { portal, member } = config;



let session = null;
let admin = null;
await step("signIn", async () => {
  session = await ArcGISIdentityManager.signIn({ username: member, password: config.memberPassword, portal });
  admin = await ArcGISIdentityManager.signIn({ username: config.admin, password: config.adminPassword, portal });
  return { member: session.username, admin: admin.username };
});

if (session && admin) {
  await step("getUser", async () => {
    const u = await getUser({ username: member, authentication: session });
    return { username: u.username, id: u.id, description: u.description ?? null, access: u.access ?? null };
  });
  await step("updateUser", async () =>
    updateUser({ user: { description: "<b>from REST JS</b><script>alert(1)</script>" }, authentication: session }));
  // REST JS's documented use: the whole user object, changed, sent back.
  await step("updateUserWholeObject", async () => {
    const whole = await getUser({ username: member, authentication: session });
    return updateUser({ user: { ...whole, fullName: "Rest Member" }, authentication: session });
  });
  await step("updateUserByAdmin", async () =>
    updateUser({ user: { username: member, access: "public" }, authentication: admin }));
  await step("getUserAfter", async () => {
    const u = await getUser({ username: member, authentication: session });
    return { description: u.description, fullName: u.fullName, access: u.access };
  });
  await step("getUserTags", async () => getUserTags({ username: member, authentication: session }));
  await step("getUserNotifications", async () => getUserNotifications({ authentication: session }));
  await step("removeNotification", async () => {
    const listed = await getUserNotifications({ authentication: session });
    return removeNotification({ id: listed.notifications[0].id, authentication: session });
  });
  await step("notificationsAfter", async () => getUserNotifications({ authentication: session }));
  await step("getUserInvitations", async () => getUserInvitations({ authentication: session }));
  await step("setUserProperties", async () =>
    setUserProperties(member, { landingPage: { url: "index.html" }, mapViewer: "modern" }, { authentication: session }));
  await step("getUserProperties", async () => getUserProperties(member, { authentication: session }));
  await step("otherUsersNotifications", async () =>
    getUserNotifications({ username: member, authentication: admin }));
}

process.stdout.write(JSON.stringify(out) + "\n");
