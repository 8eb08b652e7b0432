// Drives a running Starling with masto.js through the virtual "For you"
// list, as any Mastodon app sees it: it is listed, it reads as a list, its
// timeline pages through the Link header (masto.js's paginator) and never
// shows the viewer's own or favourited statuses, and changing it is a 422.
// STARLING_URL names the server.
import assert from "node:assert/strict";
import { createOAuthAPIClient, createRestAPIClient } from "masto";

const url = process.env.STARLING_URL;
if (!url) {
  console.error("STARLING_URL is not set");
  process.exit(2);
}

const step = (name) => console.error(`masto.js for you: ${name}`);
const password = "correct horse battery";
const scope = "read write follow";

async function main() {
  step("register an app, sign up, log in");
  const anon = createRestAPIClient({ url });
  const app = await anon.v1.apps.create({ clientName: "masto.js for you", redirectUris: "urn:ietf:wg:oauth:2.0:oob", scopes: scope });
  const oauth = createOAuthAPIClient({ url });
  const appToken = await oauth.token.create({
    grantType: "client_credentials", clientId: app.clientId, clientSecret: app.clientSecret, scope,
  });
  const asApp = createRestAPIClient({ url, accessToken: appToken.accessToken });
  const clientOf = async (username) => {
    await asApp.v1.accounts.create({ username, email: `${username}@example.test`, password, agreement: true, locale: "en" });
    const t = await oauth.token.create({
      grantType: "password", clientId: app.clientId, clientSecret: app.clientSecret, username, password, scope,
    });
    return createRestAPIClient({ url, accessToken: t.accessToken });
  };
  const ada = await clientOf("ada");
  const grace = await clientOf("grace");
  const alan = await clientOf("alan");
  const fans = [await clientOf("fan0"), await clientOf("fan1")];

  step("grace and alan post; fans favourite everything; ada posts and favourites one");
  const posts = [];
  for (const [who, text] of [[grace, "gardens in spring"], [grace, "roses and tulips"], [alan, "compilers are fun"], [alan, "type systems"]]) {
    posts.push(await who.v1.statuses.create({ status: text, visibility: "public" }));
  }
  for (const fan of fans) {
    for (const p of posts) {
      await fan.v1.statuses.$select(p.id).favourite();
    }
  }
  const own = await ada.v1.statuses.create({ status: "ada writes about gardens", visibility: "public" });
  await ada.v1.statuses.$select(posts[0].id).favourite();

  step("the For-you list is listed and reads as a list");
  const lists = await ada.v1.lists.list();
  const forYou = lists.find((l) => l.title === "For you");
  assert.ok(forYou, `lists ${JSON.stringify(lists)} have no For-you list`);
  assert.equal((await ada.v1.lists.$select(forYou.id).fetch()).title, "For you");
  assert.deepEqual(await ada.v1.lists.$select(forYou.id).accounts.list(), []);

  step("its timeline pages through the Link header");
  const seen = [];
  for await (const page of ada.v1.timelines.list.$select(forYou.id).list({ limit: 2 })) {
    assert.ok(page.length <= 2, `page of ${page.length}`);
    seen.push(...page.map((s) => s.id));
    if (seen.length > 50) break;
  }
  assert.equal(new Set(seen).size, seen.length, `repeats in ${seen}`);
  assert.ok(!seen.includes(own.id), "For you showed ada's own status");
  assert.ok(!seen.includes(posts[0].id), "For you showed a status ada favourited");
  for (const p of posts.slice(1)) {
    assert.ok(seen.includes(p.id), `For you lacks ${p.content}: saw ${seen}`);
  }
  const direct = await ada.v1.timelines.list.$select(forYou.id).list({ limit: 40 });
  assert.deepEqual(direct.map((s) => s.id), seen, "one page of 40 differs from the pages of 2");

  step("it cannot be changed");
  for (const change of [
    () => ada.v1.lists.$select(forYou.id).update({ title: "mine" }),
    () => ada.v1.lists.$select(forYou.id).remove(),
    () => ada.v1.lists.$select(forYou.id).accounts.create({ accountIds: ["1"] }),
  ]) {
    await assert.rejects(change, (err) => err.statusCode === 422 && /cannot be edited/.test(err.message));
  }
  console.error("masto.js for you: ok");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
