// Item sharing through the real ArcGIS REST JS client against geoshare; prints what it saw.
//
//   node restjs-sharing.mjs '{"portal": ".../portal/sharing/rest", "username": "...", "password": "...",
//        "itemId": "..."}'
//
// tests/e2e/test_sharing_clients.py asserts on the printed object (and reads the item between
// steps itself).  Run with NODE_TLS_REJECT_UNAUTHORIZED=0 for the self-signed certificate.

import { ArcGISIdentityManager } from "@esri/arcgis-rest-request";
import { getItem, setItemAccess } from "@esri/arcgis-rest-portal";

import { out, step } from "./steps.mjs";

const config = JSON.parse(process.argv[2] ?? "{}");
const { portal, itemId, username } = config;

let session = null;
await step("signIn", async () => {
  session = await ArcGISIdentityManager.signIn({ username, password: config.password, portal });
  return true;
});

if (session) {
  for (const access of ["org", "public", "private"]) {
    await step(`setItemAccess-${access}`, async () =>
      setItemAccess({ id: itemId, owner: username, access, authentication: session }));
    await step(`access-${access}`, async () => (await getItem(itemId, { authentication: session })).access);
  }
}

console.log(JSON.stringify(out));
