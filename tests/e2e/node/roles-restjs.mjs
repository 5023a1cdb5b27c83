// Roles through ArcGIS REST JS: it has no role helpers, so a script calls the operations with
// `request` and a signed-in ArcGISIdentityManager, as an administrator's script would.
//
//   node roles-restjs.mjs '{"portal": "https://127.0.0.1:PORT/portal/sharing/rest",
//                           "username": "admin", "password": "...", "member": "someone",
//                           "roleName": "unique name"}'
//
// Prints one JSON object, each step's value or the error REST JS raised; the pytest side
// (tests/e2e/test_roles_clients.py) asserts on it.  Exit status 0 unless the script breaks.

import { ArcGISIdentityManager, request } from "@esri/arcgis-rest-request";

import { out, step } from "./steps.mjs";

const config = JSON.parse(process.argv[2] ?? "{}");
const { portal, username, password, member, roleName } = config;


const session = await ArcGISIdentityManager.signIn({ username, password, portal });
const self = `${portal}/portals/self`;
const created = await step("createRole", () =>
  request(`${self}/createRole`, { authentication: session, params: { name: roleName, description: "REST JS" } }));
const roleId = created.ok ? created.value.id : "none";
// REST JS sends an object parameter as JSON text and an array as comma-separated text.
await step("setPrivileges", () =>
  request(`${self}/roles/${roleId}/setPrivileges`, {
    authentication: session,
    params: { privileges: { privileges: ["portal:user:joinGroup", "portal:user:createItem"] } },
  }));
await step("privileges", () => request(`${self}/roles/${roleId}/privileges`, { authentication: session }));
await step("roles", () => request(`${self}/roles`, { authentication: session, params: { num: 100 } }));
await step("updateUserRole", () =>
  request(`${self}/updateuserrole`, { authentication: session, params: { user: member, role: roleId } }));
await step("updateUserLicenseType", () =>
  request(`${self}/updateUserLicenseType`, {
    authentication: session,
    params: { users: [member], userLicenseType: "GISProfessionalBasicUT" },
  }));
await step("deleteHeld", () => request(`${self}/roles/${roleId}/delete`, { authentication: session }));
await step("backToUser", () =>
  request(`${self}/updateUserRole`, { authentication: session, params: { user: member, role: "org_user" } }));
await step("delete", () => request(`${self}/roles/${roleId}/delete`, { authentication: session }));
await step("member", () => request(`${portal}/community/users/${member}`, { authentication: session }));

console.log(JSON.stringify(out));
