// Folders with the real ArcGIS REST JS clients against geoshare; prints what they saw as JSON.
//
//   node restjs-folders.mjs '{"portal": "https://127.0.0.1:PORT/portal/sharing/rest",
//                             "admin": "admin", "adminPassword": "...", "title": "<new folder>",
//                             "itemId": "<an item of the administrator in the root folder>"}'

import { ArcGISIdentityManager } from "@esri/arcgis-rest-request";
import { createFolder, getUserContent, moveItem, removeFolder } from "@esri/arcgis-rest-portal";

import { out, step } from "./steps.mjs";

const config = JSON.parse(process.argv[2] ?? "{}");
const { portal, title, itemId } = config;

let admin = null;
await step("signIn", async () => {
  admin = await ArcGISIdentityManager.signIn({ username: config.admin, password: config.adminPassword, portal });
  return admin.username;
});

if (admin) {
  const authentication = admin;
  let folderId = null;
  await step("createFolder", async () => {
    const created = await createFolder({ title, authentication });
    folderId = created.folder.id;
    return created;
  });
  await step("createTwice", async () => createFolder({ title: title.toUpperCase(), authentication }));
  await step("moveItem", async () => moveItem({ itemId, folderId, authentication }));
  await step("getUserContentFolder", async () => getUserContent({ folderId, start: 1, num: 10, authentication }));
  await step("getUserContentRoot", async () => getUserContent({ num: 100, authentication }));
  await step("moveBack", async () => moveItem({ itemId, folderId: "/", authentication }));
  await step("removeFolder", async () => removeFolder({ folderId, authentication }));
}

console.log(JSON.stringify(out));
