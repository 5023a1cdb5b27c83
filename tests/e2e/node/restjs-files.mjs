// Item resources and a multipart upload with the real ArcGIS REST JS clients; prints what they
// saw as JSON for tests/e2e/test_uploads_clients.py.
//
//   node restjs-files.mjs '{"portal": "https://127.0.0.1:PORT/portal/sharing/rest",
//                           "owner": "name", "ownerPassword": "..."}'

import { ArcGISIdentityManager } from "@esri/arcgis-rest-request";
import {
  addItemPart,
  addItemResource,
  commitItemUpload,
  createItem,
  getItemParts,
  getItemResource,
  getItemResources,
  removeItemResource,
} from "@esri/arcgis-rest-portal";

import { out, step } from "./steps.mjs";

const config = JSON.parse(process.argv[2] ?? "{}");
const { portal } = config;

let session = null;
await step("signIn", async () => {
  session = await ArcGISIdentityManager.signIn({ username: config.owner, password: config.ownerPassword, portal });
  return session.username;
});

if (session) {
  const authentication = session;
  let id = null;
  await step("createItem", async () => {
    const made = await createItem({ item: { title: "REST JS resources", type: "Web Map" }, text: "{}", authentication });
    id = made.id;
    return made.success;
  });
  await step("addItemResource", async () =>
    addItemResource({ id, name: "style.json", prefix: "styles", content: '{"a": 1}', authentication }));
  await step("getItemResources", async () =>
    (await getItemResources(id, { authentication })).resources.map((r) => r.resource));
  await step("getItemResource", async () =>
    getItemResource(id, { fileName: "styles/style.json", readAs: "text", authentication }));
  await step("removeItemResource", async () => removeItemResource({ id, resource: "styles/style.json", authentication }));
  await step("afterRemove", async () =>
    (await getItemResources(id, { authentication })).resources.map((r) => r.resource));

  let upload = null;
  await step("createMultipart", async () => {
    const made = await createItem({ item: { title: "REST JS parts", type: "CSV" },
                                    params: { multipart: true, fileName: "parts.csv" }, authentication });
    upload = made.id;
    return made.success;
  });
  await step("addItemPart2", async () =>
    addItemPart({ id: upload, partNum: 2, file: new Blob(["|part two"]), params: { fileName: "parts.csv" },
                  authentication }));
  await step("addItemPart1", async () =>
    addItemPart({ id: upload, partNum: 1, file: new Blob(["part one"]), params: { fileName: "parts.csv" },
                  authentication }));
  await step("getItemParts", async () => (await getItemParts({ id: upload, authentication })).parts);
  await step("commitItemUpload", async () => commitItemUpload({ id: upload, item: { type: "CSV" }, authentication }));
  await step("multipartData", async () => {
    const answer = await fetch(`${portal}/content/items/${upload}/data?token=${encodeURIComponent(session.token)}`);
    return answer.text();
  });
}

console.log(JSON.stringify(out));
