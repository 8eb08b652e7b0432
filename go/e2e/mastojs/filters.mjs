// Drives a running Starling with masto.js through filters and direct
// messages, as a client app does: v2 filters with keywords and statuses
// (a warned status carries `filtered`, a hidden one is not served), the v1
// view, conversations and the `direct` stream's `conversation` event.
// Exits non-zero with a message on the first disagreement. STARLING_URL
// names the server.
import assert from "node:assert/strict";
import { createOAuthAPIClient, createRestAPIClient, createStreamingAPIClient } from "masto";

const url = process.env.STARLING_URL;
if (!url) {
  console.error("STARLING_URL is not set");
  process.exit(2);
}

const step = (name) => console.error(`masto.js filters: ${name}`);
const password = "correct horse battery";
const scope = "read write follow";

async function main() {
  step("register an app, sign up, log in");
  const anon = createRestAPIClient({ url });
  const app = await anon.v1.apps.create({ clientName: "masto.js filters", redirectUris: "urn:ietf:wg:oauth:2.0:oob", scopes: scope });
  const oauth = createOAuthAPIClient({ url });
  const appToken = await oauth.token.create({
    grantType: "client_credentials", clientId: app.clientId, clientSecret: app.clientSecret, scope,
  });
  const asApp = createRestAPIClient({ url, accessToken: appToken.accessToken });
  const tokenOf = async (username) => {
    await asApp.v1.accounts.create({ username, email: `${username}@example.test`, password, agreement: true, locale: "en" });
    const t = await oauth.token.create({
      grantType: "password", clientId: app.clientId, clientSecret: app.clientSecret, username, password, scope,
    });
    return t.accessToken;
  };
  const adaToken = await tokenOf("ada");
  const ada = createRestAPIClient({ url, accessToken: adaToken });
  const grace = createRestAPIClient({ url, accessToken: await tokenOf("grace") });
  const graceAcct = await grace.v1.accounts.verifyCredentials();
  await ada.v1.accounts.$select(graceAcct.id).follow();

  step("v2 filters: create with keywords, a hide filter through v1");
  const spoilers = await ada.v2.filters.create({
    title: "Spoilers", context: ["home", "thread"], filterAction: "warn",
    keywordsAttributes: [{ keyword: "dune", wholeWord: true }],
  });
  assert.equal(spoilers.title, "Spoilers");
  assert.deepEqual(spoilers.keywords.map((k) => [k.keyword, k.wholeWord]), [["dune", true]]);
  const boring = await ada.v1.filters.create({ phrase: "boring", context: ["home"], irreversible: true });
  assert.equal(boring.irreversible, true);
  const keyword = await ada.v2.filters.$select(spoilers.id).keywords.create({ keyword: "arrakis" });
  assert.equal(keyword.keyword, "arrakis");
  const keywords = await ada.v2.filters.$select(spoilers.id).keywords.list();
  assert.deepEqual(keywords.map((k) => k.keyword), ["dune", "arrakis"]);
  assert.equal((await ada.v2.filters.list()).length, 2);
  assert.deepEqual((await ada.v1.filters.list()).map((f) => f.phrase), ["dune", "arrakis", "boring"]);

  step("home applies them: filtered for warn, nothing for hide");
  const dune = await grace.v1.statuses.create({ status: "Dune part two is out", visibility: "public" });
  const dull = await grace.v1.statuses.create({ status: "a boring afternoon", visibility: "public" });
  const fine = await grace.v1.statuses.create({ status: "a fine afternoon", visibility: "public" });
  let home = await ada.v1.timelines.home.list({ limit: 10 });
  const byId = (list) => Object.fromEntries(list.map((s) => [s.id, s]));
  let seen = byId(home);
  assert.ok(!(dull.id in seen), "a hide filter leaves the status out of home");
  assert.equal(seen[dune.id].filtered.length, 1, "a warn filter marks the status");
  assert.equal(seen[dune.id].filtered[0].filter.title, "Spoilers");
  assert.deepEqual(seen[dune.id].filtered[0].keywordMatches, ["dune"]);
  assert.deepEqual(seen[fine.id].filtered, []);

  step("filter statuses");
  const fs = await ada.v2.filters.$select(spoilers.id).statuses.create({ statusId: fine.id });
  assert.equal(fs.statusId, fine.id);
  home = await ada.v1.timelines.home.list({ limit: 10 });
  seen = byId(home);
  assert.deepEqual(seen[fine.id].filtered[0].statusMatches, [fine.id]);
  await ada.v2.filters.statuses.$select(fs.id).remove();

  step("update and remove");
  const updated = await ada.v2.filters.$select(spoilers.id).update({
    title: "Dune", keywordsAttributes: [{ id: keyword.id, _destroy: true }],
  });
  assert.equal(updated.title, "Dune");
  assert.deepEqual(updated.keywords.map((k) => k.keyword), ["dune"]);
  await ada.v2.filters.$select(spoilers.id).remove();
  await ada.v1.filters.$select(boring.id).remove();
  assert.equal((await ada.v2.filters.list()).length, 0);
  seen = byId(await ada.v1.timelines.home.list({ limit: 10 }));
  assert.ok(dull.id in seen, "without filters the status is back");
  assert.deepEqual(seen[dune.id].filtered, []);

  step("conversations over the direct stream");
  const instance = await anon.v2.instance.fetch();
  const streaming = createStreamingAPIClient({
    streamingApiUrl: instance.configuration.urls.streaming, accessToken: adaToken, retry: false,
  });
  const subscription = streaming.direct.subscribe();
  const events = subscription[Symbol.asyncIterator]();
  // As in flow.mjs: subscribing is not acknowledged, so probe until an
  // event arrives.
  const probes = new Set();
  let conversation;
  let pending = events.next();
  for (let attempt = 0; attempt < 20 && !conversation; attempt++) {
    const probe = await grace.v1.statuses.create({ status: `@ada psst ${attempt}`, visibility: "direct" });
    probes.add(probe.id);
    const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 500));
    const got = await Promise.race([pending, timeout]);
    if (got && !got.done) {
      assert.equal(got.value.event, "conversation", `the direct stream sends conversations, got ${got.value.event}`);
      conversation = got.value.payload;
    }
  }
  subscription.unsubscribe();
  streaming.close();
  assert.ok(conversation, "a conversation event arrived");
  assert.ok(probes.has(conversation.lastStatus.id), "its last status is one of grace's messages");
  assert.deepEqual(conversation.accounts.map((a) => a.username), ["grace"]);
  assert.equal(conversation.unread, true);

  const list = await ada.v1.conversations.list();
  assert.equal(list.length, probes.size, "each probe started a thread of its own, so a conversation of its own");
  assert.ok(list.every((c) => probes.has(c.lastStatus.id)));
  const read = await ada.v1.conversations.$select(list[0].id).read();
  assert.equal(read.unread, false);
  await ada.v1.conversations.$select(list[0].id).remove();
  assert.equal((await ada.v1.conversations.list()).length, list.length - 1);

  console.error("masto.js filters: all steps passed");
}

main().catch((err) => {
  console.error("masto.js filters flow failed:", err);
  process.exit(1);
});
