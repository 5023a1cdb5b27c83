// A minimal web app on the ArcGIS Maps SDK for JavaScript (@arcgis/core), served from another
// origin than the portal.  The test calls the functions on window.geoshareApp and asserts on
// what they return; each returns plain data (or {error}) so that nothing is lost on the way.
import esriConfig from "@arcgis/core/config.js";
import IdentityManager from "@arcgis/core/identity/IdentityManager.js";
import Portal from "@arcgis/core/portal/Portal.js";
import PortalQueryParams from "@arcgis/core/portal/PortalQueryParams.js";
import esriRequest from "@arcgis/core/request.js";

// Everything from this origin: the SDK would otherwise fetch its assets from js.arcgis.com.
esriConfig.assetsPath = new URL("/node_modules/@arcgis/core/assets", location.href).href;

function failure(error) {
  return { error: { name: error?.name ?? null, message: String(error?.message ?? error),
                    details: JSON.parse(JSON.stringify(error?.details ?? null, (k, v) => k === "raw" ? undefined : v)) } };
}

async function attempt(fn) {
  try {
    return { value: await fn() };
  } catch (error) {
    return failure(error);
  }
}

// Loads portals/self (with credentials, as the SDK always does).  With authMode "immediate"
// the SDK signs in first, through its own sign-in dialog.
async function loadPortal(url, authMode = "auto") {
  return attempt(async () => {
    const portal = new Portal({ url, authMode });
    await portal.load();
    return { id: portal.id, name: portal.name, restUrl: portal.restUrl,
             username: portal.user ? portal.user.username : null };
  });
}

// generateToken from the page itself; the token is bound to this page's origin.
async function generateToken(url, username, password) {
  return attempt(async () => {
    const { data } = await esriRequest(`${url}/sharing/rest/generateToken`, {
      method: "post", authMode: "anonymous",
      query: { username, password, client: "referer", referer: location.origin, expiration: 60, f: "json" },
    });
    if (!data.token) throw new Error(JSON.stringify(data));
    return data;
  });
}

// The snippet of the user guide: register a token, then the portal knows its user.
async function signInWithToken(url, username, token, expires, ssl) {
  return attempt(async () => {
    IdentityManager.registerToken({ server: `${url}/sharing/rest`, token, userId: username, expires, ssl });
    const portal = new Portal({ url });
    await portal.load();
    return { username: portal.user?.username ?? null, role: portal.user?.role ?? null, id: portal.id };
  });
}

async function queryItemsAndGroups(url) {
  const portal = new Portal({ url });
  const loaded = await attempt(() => portal.load());
  if (loaded.error) return { load: loaded };
  const items = await attempt(async () => (await portal.queryItems(new PortalQueryParams({ query: "owner:admin" }))).total);
  const groups = await attempt(async () => (await portal.queryGroups({ query: "title:x" })).total);
  return { load: {}, items, groups };
}

// A request with the token in a header forces a CORS preflight (the SDK itself sends the
// token as a parameter); the page must be able to read the answer.
async function fetchWithHeader(url, token) {
  return attempt(async () => {
    const reply = await fetch(`${url}/sharing/rest/community/self?f=json`, {
      credentials: "include", headers: { "X-Esri-Authorization": `Bearer ${token}` } });
    return await reply.json();
  });
}

window.geoshareApp = { loadPortal, generateToken, signInWithToken, queryItemsAndGroups, fetchWithHeader };
document.getElementById("status").textContent = "ready";
