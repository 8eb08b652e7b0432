// Drives a running Starling with megalodon, the library under Whalebird
// and Fedistar, as those apps add an account: detect the server's software
// from NodeInfo (without "mastodon" there the account cannot be added at
// all), register an app, then use the Mastodon client it picks. Exits
// non-zero with a message on the first disagreement. STARLING_URL names the
// server; STARLING_TOKEN is a user token with read and write scopes.
import assert from "node:assert/strict";
import megalodon from "megalodon";

const { detector } = megalodon;
const generator = megalodon.default;
const url = process.env.STARLING_URL;
const token = process.env.STARLING_TOKEN;
if (!url || !token) {
  console.error("STARLING_URL and STARLING_TOKEN must be set");
  process.exit(2);
}
const step = (name) => console.error(`megalodon: ${name}`);

async function main() {
  step("detect the software");
  const sns = await detector(url);
  assert.equal(sns, "mastodon", "megalodon detects a Mastodon-compatible server");

  step("register an app, as Whalebird does");
  const anon = generator(sns, url);
  const app = await anon.registerApp("Whalebird-like", { scopes: ["read", "write", "follow"] });
  assert.ok(app.client_id && app.client_secret && app.url, "app registered, with an authorization URL");
  assert.ok(app.url.startsWith(`${url}/oauth/authorize?`), `authorization URL ${app.url}`);

  step("use the account");
  const client = generator(sns, url, token);
  const me = (await client.verifyAccountCredentials()).data;
  const instance = (await client.getInstance()).data;
  assert.ok(instance.uri && instance.version, "instance read");
  const posted = (await client.postStatus("hello from megalodon")).data;
  const home = (await client.getHomeTimeline({ limit: 5 })).data;
  assert.equal(home[0].id, posted.id, "the new post heads home");
  assert.equal(home[0].account.id, me.id);
  await client.getNotifications({ limit: 5 });
  console.error("megalodon: all steps passed");
}

main().catch((err) => {
  console.error("megalodon flow failed:", err?.response?.status, err?.response?.config?.url, err);
  process.exit(1);
});
