// A small browser app, as a web client (Phanpy, Elk) is one: it runs on its
// own origin and uses masto.js (bundled by make into masto.js beside this
// file) against the Starling named by ?server=. It registers an app,
// discovers PKCE from the RFC 8414 metadata, logs in with the
// authorization-code flow in a popup that comes back to this origin, reads
// home following the Link header, posts, receives its post over the
// streaming WebSocket, reads notifications, shows the account's avatar and
// the instance thumbnail, attaches a picture to a post, and logs out. It reports through window.__result,
// which the test's driver (../browser.mjs) reads; the test checks the
// values against what it seeded.
import { createOAuthAPIClient, createRestAPIClient, createStreamingAPIClient } from "./masto.js";

const params = new URLSearchParams(location.search);
const server = params.get("server");
const redirectUri = `${location.origin}/callback.html`;
const scopes = "read write follow";
const result = { steps: [] };

function step(name) {
  result.steps.push(name);
  document.querySelector("#log").textContent += `${name}\n`;
}

function check(cond, msg) {
  if (!cond) throw new Error(`check failed: ${msg}`);
}

const base64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

function randomString() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

// prepare registers the app and builds the authorization URL, so that the
// click on "Log in" only has to open the popup (browsers allow a popup only
// within the click's own task).
async function prepare() {
  step("register an app");
  const anon = createRestAPIClient({ url: server });
  const app = await anon.v1.apps.create({ clientName: "browser e2e", redirectUris: redirectUri, scopes });
  check(app.clientId && app.clientSecret, "the app has client credentials");

  step("discover OAuth (RFC 8414)");
  const md = await (await fetch(`${server}/.well-known/oauth-authorization-server`)).json();
  check(md.code_challenge_methods_supported.includes("S256"), "PKCE S256 is offered");
  check(md.token_endpoint === `${server}/oauth/token`, `token endpoint ${md.token_endpoint}`);

  const verifier = randomString();
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const state = randomString();
  const authorize = new URL(md.authorization_endpoint);
  authorize.search = new URLSearchParams({
    response_type: "code",
    client_id: app.clientId,
    redirect_uri: redirectUri,
    scope: scopes,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  return { app, verifier, state, authorizeURL: authorize.toString() };
}

// waitForCode resolves with the code the popup's callback page posts back.
function waitForCode(state) {
  return new Promise((resolve, reject) => {
    window.addEventListener("message", (event) => {
      if (event.origin !== location.origin || !event.data || event.data.state !== state) return;
      if (event.data.error || !event.data.code) reject(new Error(`authorization failed: ${event.data.error}`));
      else resolve(event.data.code);
    });
  });
}

// imageLoads resolves with the natural width of url loaded into img: a
// JSON 404 or an image blocked by the browser (ORB) fails it.
function imageLoads(img, url) {
  return new Promise((resolve, reject) => {
    img.onload = () => resolve(img.naturalWidth);
    img.onerror = () => reject(new Error(`image did not load: ${url}`));
    img.src = url;
  });
}

// picture draws a w×h JPEG on a canvas, as a person's photo stands in.
function picture(w, h) {
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  const g = ctx.createLinearGradient(0, 0, w, h);
  g.addColorStop(0, "#1d3557");
  g.addColorStop(1, "#e9c46a");
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, w, h);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
}

// attachPicture uploads a picture as web clients do (fetch with a
// FormData body and the bearer token: a CORS request with a preflight),
// waits for it to be processed (202 until then), posts it with masto.js
// and loads the served file and its preview into the page.
async function attachPicture(rest, accessToken) {
  const form = new FormData();
  form.append("file", await picture(320, 240), "picture.jpg");
  form.append("description", "A gradient from the browser");
  const headers = { Authorization: `Bearer ${accessToken}` };
  const res = await fetch(`${server}/api/v2/media`, { method: "POST", headers, body: form });
  check(res.status === 200 || res.status === 202, `upload answered ${res.status}`);
  let media = await res.json();
  for (let i = 0; !media.url && i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    media = await (await fetch(`${server}/api/v1/media/${media.id}`, { headers })).json();
  }
  check(media.url, "the upload was processed");
  const st = await rest.v1.statuses.create({ status: "a picture from a browser", mediaIds: [media.id] });
  check(st.mediaAttachments.length === 1 && st.mediaAttachments[0].id === media.id, "the status carries the picture");
  result.attached = { statusId: st.id, mediaId: media.id, url: st.mediaAttachments[0].url,
    description: st.mediaAttachments[0].description };
  result.attached.width = await imageLoads(document.querySelector("#picture"), st.mediaAttachments[0].url);
  result.attached.previewWidth = await imageLoads(document.querySelector("#preview"), st.mediaAttachments[0].previewUrl);
}

async function run(login, code) {
  step("exchange the code (PKCE)");
  const oauth = createOAuthAPIClient({ url: server });
  const token = await oauth.token.create({
    grantType: "authorization_code",
    clientId: login.app.clientId,
    clientSecret: login.app.clientSecret,
    redirectUri,
    code,
    codeVerifier: login.verifier,
  });
  const rest = createRestAPIClient({ url: server, accessToken: token.accessToken });
  const me = await rest.v1.accounts.verifyCredentials();
  result.username = me.username;

  step("read home, following the Link header");
  result.homePages = [];
  for await (const page of rest.v1.timelines.home.list({ limit: 2 })) {
    result.homePages.push(page.map((s) => s.id));
    if (result.homePages.length > 5) break;
  }

  step("stream: post until the user stream delivers the post");
  const instance = await rest.v2.instance.fetch();
  const streaming = createStreamingAPIClient({
    streamingApiUrl: instance.configuration.urls.streaming,
    accessToken: token.accessToken,
    retry: false,
  });
  const subscription = streaming.user.subscribe();
  const updates = subscription[Symbol.asyncIterator]();
  // The protocol has no acknowledgement of a subscription: post a bounded
  // number of times until an update arrives, then check it is one of ours.
  result.posted = [];
  let pending = updates.next();
  for (let attempt = 0; attempt < 20 && !result.streamed; attempt++) {
    const st = await rest.v1.statuses.create({ status: `hello from a browser, try ${attempt}` });
    result.posted.push(st.id);
    const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 500));
    const got = await Promise.race([pending, timeout]);
    if (got && !got.done && got.value.event === "update") result.streamed = got.value.payload.id;
    else if (got) pending = updates.next();
  }
  subscription.unsubscribe();
  streaming.close();

  step("read notifications");
  const notes = await rest.v1.notifications.list({ limit: 20 });
  result.notifications = notes.map((n) => `${n.type}:${n.account.username}`);

  step("show the avatar and the instance thumbnail");
  result.avatarWidth = await imageLoads(document.querySelector("#avatar"), me.avatar);
  result.thumbnailWidth = await imageLoads(document.querySelector("#thumbnail"), instance.thumbnail.url);

  step("attach a picture: upload with fetch and FormData, post it, show it");
  await attachPicture(rest, token.accessToken);

  step("log out (revoke) and see the token refused");
  await oauth.revoke({ clientId: login.app.clientId, clientSecret: login.app.clientSecret, token: token.accessToken });
  try {
    await rest.v1.accounts.verifyCredentials();
    result.afterRevoke = "still accepted";
  } catch (err) {
    // A readable 401 (not a CORS failure) carries the status.
    result.afterRevoke = err.statusCode;
  }
  step("done");
}

async function main() {
  const login = await prepare();
  const button = document.querySelector("#login");
  const code = new Promise((resolve, reject) => {
    button.addEventListener("click", () => {
      step("log in through a popup");
      const popup = window.open(login.authorizeURL, "starling-login", "popup,width=480,height=640");
      if (!popup) reject(new Error("the popup was blocked"));
      waitForCode(login.state).then(resolve, reject);
    });
  });
  button.disabled = false;
  window.__ready = true;
  await run(login, await code);
}

main().then(
  () => {
    result.ok = true;
    window.__result = result;
  },
  (err) => {
    result.ok = false;
    result.error = `${err && err.stack ? err.stack : err}`;
    window.__result = result;
  },
);
