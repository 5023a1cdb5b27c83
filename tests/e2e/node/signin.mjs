// Sign in to geoshare with the real ArcGIS REST JS clients and print what they saw as JSON.
//
//   node signin.mjs '{"portal": "https://127.0.0.1:PORT/portal/sharing/rest",
//                     "username": "admin", "password": "...",
//                     "wrongUsername": "someone", "wrongPassword": "not-it"}'
//
// Every step records either its result or the error the client raised; the pytest side
// (tests/e2e/test_restjs.py) asserts on the printed object.  For a self-signed certificate
// run with NODE_TLS_REJECT_UNAUTHORIZED=0.  Exit status 0 unless the script itself breaks.

import { ArcGISIdentityManager, request } from "@esri/arcgis-rest-request";
import { getPortal, getSelf, getUser } from "@esri/arcgis-rest-portal";

const config = JSON.parse(process.argv[2] ?? "{}");
const { portal, username, password } = config;
const out = { portal };

function describeError(err) {
  return {
    name: err?.name ?? null,
    code: err?.code ?? null,
    message: err?.message ?? String(err),
    originalMessage: err?.originalMessage ?? null,
  };
}

async function step(name, fn) {
  try {
    out[name] = { ok: true, value: await fn() };
  } catch (err) {
    out[name] = { ok: false, error: describeError(err) };
  }
  return out[name];
}

function expiresMs(session) {
  const when = session.tokenExpires;
  return when instanceof Date ? when.getTime() : null;
}

let session = null;
await step("signIn", async () => {
  session = await ArcGISIdentityManager.signIn({ username, password, portal });
  return {
    username: session.username,
    portal: session.portal,
    tokenLength: session.token ? session.token.length : 0,
    tokenExpires: expiresMs(session),
  };
});

if (session) {
  await step("getSelf", async () => {
    const self = await getSelf({ authentication: session });
    return { id: self.id, name: self.name, portalName: self.portalName, user: self.user?.username ?? null };
  });
  await step("getPortalById", async () => {
    const self = out.getSelf.ok ? out.getSelf.value : null;
    const p = await getPortal(self?.id, { authentication: session });
    return { id: p.id, portalName: p.portalName, user: p.user?.username ?? null };
  });
  await step("getUser", async () => {
    const u = await getUser({ username, authentication: session });
    return { username: u.username, orgId: u.orgId ?? null, role: u.role ?? null, privileges: u.privileges ?? [] };
  });
  await step("sessionGetUser", async () => {
    const u = await session.getUser();
    return { username: u.username, role: u.role ?? null };
  });
  await step("sessionGetUsername", async () => session.getUsername());
  // Revoke the token behind the client's back: the next call gets 498 in a 200 body, and
  // REST JS must refresh with the stored password and retry once (clients.md §2).
  await step("refreshAfterRevoke", async () => {
    const before = session.token;
    await request(`${portal}/oauth2/revokeToken`, { params: { auth_token: before, f: "json" } });
    const self = await getSelf({ authentication: session });
    return { user: self.user?.username ?? null, tokenChanged: session.token !== before };
  });
}

await step("anonymousPortal", async () => {
  const p = await getPortal(null, { portal });
  return { id: p.id, portalName: p.portalName, hasUser: Object.prototype.hasOwnProperty.call(p, "user") };
});

await step("anonymousCommunitySelf", async () => request(`${portal}/community/self`, { params: { f: "json" } }));

if (config.wrongUsername) {
  await step("wrongPassword", async () => {
    const s = await ArcGISIdentityManager.signIn({
      username: config.wrongUsername,
      password: config.wrongPassword,
      portal,
    });
    return { username: s.username, token: s.token ?? null };
  });
}

process.stdout.write(JSON.stringify(out) + "\n");
