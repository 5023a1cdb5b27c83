// Items with the real ArcGIS REST JS clients; prints what they saw as JSON.
//
//   node restjs-items.mjs '{"portal": "https://127.0.0.1:PORT/portal/sharing/rest",
//                           "owner": "name", "ownerPassword": "...", "title": "unique title"}'
//
// tests/e2e/test_items_clients.py asserts on the printed object.  Run with
// NODE_TLS_REJECT_UNAUTHORIZED=0 for the self-signed certificate.

import { ArcGISIdentityManager } from "@esri/arcgis-rest-request";
import { createItem, getItem, getItemData, removeItem, updateItem } from "@esri/arcgis-rest-portal";

import { out, step } from "./steps.mjs";

const config = JSON.parse(process.argv[2] ?? "{}");
const { portal, title } = config;

let session = null;
await step("signIn", async () => {
  session = await ArcGISIdentityManager.signIn({ username: config.owner, password: config.ownerPassword, portal });
  return session.username;
});

if (session) {
  const authentication = session;
  let id = null;
  let fileId = null;
  await step("createItem", async () => {
    const made = await createItem({
      item: { title, type: "Web Map", tags: ["rest", "js"], text: { operationalLayers: [], version: "2.31" } },
      authentication,
    });
    id = made.id;
    return made;
  });
  if (id) {
    await step("getItem", async () => {
      const item = await getItem(id, { authentication });
      return { id: item.id, type: item.type, tags: item.tags, owner: item.owner };
    });
    await step("getItemData", async () => getItemData(id, { authentication }));
    await step("updateItem", async () =>
      updateItem({ item: { id, snippet: "changed by REST JS" }, authentication }));
    await step("getUpdated", async () => {
      const item = await getItem(id, { authentication });
      return { snippet: item.snippet };
    });
  }
  await step("createFileItem", async () => {
    const file = new Blob(["a,b\n1,2\n"], { type: "text/csv" });
    const made = await createItem({
      item: { title: `${title} file`, type: "CSV", tags: ["file"] },
      params: { file, fileName: "data.csv" },
      authentication,
    });
    fileId = made.id;
    return made;
  });
  if (fileId) {
    await step("getFileData", async () => {
      const blob = await getItemData(fileId, { authentication, file: true });
      return await blob.text();
    });
    await step("removeFileItem", async () => removeItem({ id: fileId, authentication }));
  }
  if (id) {
    await step("removeItem", async () => removeItem({ id, authentication }));
    await step("getRemoved", async () => getItem(id, { authentication }));
  }
}

console.log(JSON.stringify(out));
