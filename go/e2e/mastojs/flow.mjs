// Drives a running Starling with masto.js exactly as a client app does:
// register an app, log in with the password grant, post, follow, read and
// page the home timeline, favourite and reblog, read notifications,
// receive a streaming `update`, save and read markers, follow a tag
// whose public statuses then reach home, edit a status (seen over
// streaming as status.update, with its history, its source and an `update`
// notification to its booster), and read grouped notifications (v2).
// Exits non-zero with a message on the first
// disagreement. STARLING_URL names the server.
import assert from "node:assert/strict";
import { createOAuthAPIClient, createRestAPIClient, createStreamingAPIClient } from "masto";

const url = process.env.STARLING_URL;
if (!url) {
  console.error("STARLING_URL is not set");
  process.exit(2);
}

const step = (name) => console.error(`masto.js: ${name}`);

// untilEvent acts (a bounded number of times) until events yields an
// event of kind, and returns its payload (undefined if none came). One
// read stays outstanding across attempts; other events are read past.
async function untilEvent(events, kind, act) {
  let pending = events.next();
  for (let attempt = 0; attempt < 20; attempt++) {
    await act(attempt);
    const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 500));
    const got = await Promise.race([pending, timeout]);
    if (got && !got.done && got.value.event === kind) {
      return got.value.payload;
    }
    if (got) {
      pending = events.next(); // some other event: read on
    }
  }
  return undefined;
}

async function main() {
  step("register an app");
  const anon = createRestAPIClient({ url });
  const app = await anon.v1.apps.create({
    clientName: "masto.js e2e",
    redirectUris: "urn:ietf:wg:oauth:2.0:oob",
    scopes: "read write follow push",
  });
  assert.ok(app.clientId && app.clientSecret, "app has client credentials");

  const oauth = createOAuthAPIClient({ url });
  const appToken = await oauth.token.create({
    grantType: "client_credentials",
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    scope: "read write follow push",
  });
  const asApp = createRestAPIClient({ url, accessToken: appToken.accessToken });

  step("sign up two accounts, log in with the password grant");
  for (const username of ["ada", "grace"]) {
    await asApp.v1.accounts.create({
      username,
      email: `${username}@example.test`,
      password: "correct horse battery",
      agreement: true,
      locale: "en",
    });
  }
  const login = async (username) => {
    const token = await oauth.token.create({
      grantType: "password",
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      username,
      password: "correct horse battery",
      scope: "read write follow push",
    });
    return createRestAPIClient({ url, accessToken: token.accessToken });
  };
  const ada = await login("ada");
  const grace = await login("grace");
  const adaAcct = await ada.v1.accounts.verifyCredentials();
  const graceAcct = await grace.v1.accounts.verifyCredentials();
  assert.equal(adaAcct.username, "ada");

  step("instance");
  const instance = await anon.v2.instance.fetch();
  assert.ok(instance.configuration.statuses.maxCharacters >= 500);

  step("follow");
  const rel = await ada.v1.accounts.$select(graceAcct.id).follow();
  assert.equal(rel.following, true);

  step("stream: ada subscribes to her user stream");
  const adaToken = ada; // keep the REST client for later
  // A streaming client of its own for ada, as an app opens one.
  const streamAs = async (username) => createStreamingAPIClient({
    streamingApiUrl: instance.configuration.urls.streaming,
    accessToken: (await oauth.token.create({
      grantType: "password",
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      username,
      password: "correct horse battery",
      scope: "read",
    })).accessToken,
    retry: false,
  });
  const streaming = await streamAs("ada");
  const subscription = streaming.user.subscribe();
  const updates = subscription[Symbol.asyncIterator]();
  // masto.js subscribes with a message after connecting, and the protocol
  // has no acknowledgement: probe by posting until an update arrives (a
  // bounded number of times), then check it is one of the probes.
  const probes = new Set();
  const streamed = await untilEvent(updates, "update", async (attempt) => {
    const probe = await grace.v1.statuses.create({ status: `stream probe ${attempt}`, visibility: "public" });
    probes.add(probe.id);
  });
  assert.ok(streamed, "a streaming update arrived");
  assert.ok(probes.has(streamed.id), "the streamed update is one of grace's posts");
  subscription.unsubscribe();
  streaming.close();

  step("post");
  const posts = [];
  for (const text of ["first light over the harbour", "compilers are just translators", "tea, then more tea"]) {
    posts.push(await grace.v1.statuses.create({ status: text, visibility: "public" }));
  }

  step("read and page the home timeline");
  const seen = [];
  for await (const page of adaToken.v1.timelines.home.list({ limit: 2 })) {
    seen.push(...page.map((s) => s.id));
    if (seen.length > 10) break;
  }
  const expected = [...posts.map((p) => p.id).reverse(), ...[...probes].reverse()];
  assert.deepEqual(seen, expected, "home timeline pages newest first");

  step("favourite and reblog");
  const faved = await ada.v1.statuses.$select(posts[1].id).favourite();
  assert.equal(faved.favourited, true);
  assert.equal(faved.favouritesCount, 1);
  const reblog = await ada.v1.statuses.$select(posts[2].id).reblog();
  assert.equal(reblog.reblog?.id, posts[2].id);

  step("notifications");
  const notes = await grace.v1.notifications.list({ limit: 20 });
  const types = notes.map((n) => n.type).sort();
  assert.deepEqual(types, ["favourite", "follow", "reblog"], `grace's notifications: ${types}`);
  assert.ok(notes.every((n) => n.account.id === adaAcct.id));

  step("markers");
  const none = await ada.v1.markers.fetch({ timeline: ["home", "notifications"] });
  assert.deepEqual(none, {}, "no markers before the first save");
  const saved = await ada.v1.markers.create({ home: { lastReadId: posts[2].id } });
  assert.equal(saved.home.lastReadId, posts[2].id);
  assert.equal(saved.home.version, 1);
  await ada.v1.markers.create({ home: { lastReadId: posts[1].id }, notifications: { lastReadId: notes[0].id } });
  const markers = await ada.v1.markers.fetch({ timeline: ["home", "notifications"] });
  assert.equal(markers.home.lastReadId, posts[1].id, "home marker moved");
  assert.equal(markers.home.version, 2, "each save bumps the version");
  assert.equal(markers.notifications.lastReadId, notes[0].id);
  assert.equal(markers.notifications.version, 1);
  assert.ok(!Number.isNaN(Date.parse(markers.home.updatedAt)), "updated_at is a date");

  step("followed tags reach home");
  await asApp.v1.accounts.create({
    username: "hopper",
    email: "hopper@example.test",
    password: "correct horse battery",
    agreement: true,
    locale: "en",
  });
  const hopper = await login("hopper");
  const tag = await ada.v1.tags.$select("harbour").follow();
  assert.equal(tag.following, true);
  const followed = await ada.v1.followedTags.list();
  assert.deepEqual(followed.map((t) => [t.name, t.following]), [["harbour", true]]);
  const tagged = await hopper.v1.statuses.create({ status: "lights on the #harbour", visibility: "public" });
  const quiet = await hopper.v1.statuses.create({ status: "quiet #harbour", visibility: "unlisted" });
  const home = await ada.v1.timelines.home.list({ limit: 5 });
  const homeIDs = home.map((s) => s.id);
  assert.ok(homeIDs.includes(tagged.id), "a stranger's public status with a followed tag is in home");
  assert.ok(!homeIDs.includes(quiet.id), "an unlisted one is not");
  await ada.v1.tags.$select("harbour").unfollow();
  const after = await ada.v1.timelines.home.list({ limit: 5 });
  assert.ok(!after.map((s) => s.id).includes(tagged.id), "unfollowing the tag takes it out of home");

  step("edit a boosted status: status.update on the stream, history, source, update notification");
  const editStream = await streamAs("ada");
  const editSub = editStream.user.subscribe();
  const editEvents = editSub[Symbol.asyncIterator]();
  // As above, no acknowledgement of the subscription: edit until a
  // status.update arrives (a bounded number of times).
  const edited = await untilEvent(editEvents, "status.update", async (attempt) => {
    const put = await grace.v1.statuses.$select(posts[2].id).update({ status: `tea, then coffee (edit ${attempt})`, spoilerText: "drinks" });
    assert.ok(put.editedAt, "the edited status carries edited_at");
  });
  assert.ok(edited, "a status.update arrived");
  assert.equal(edited.id, posts[2].id);
  assert.match(edited.content, /coffee/);
  assert.equal(edited.spoilerText, "drinks");
  editSub.unsubscribe();
  editStream.close();
  const history = await ada.v1.statuses.$select(posts[2].id).history.list();
  assert.ok(history.length >= 2, `history has ${history.length} versions`);
  assert.match(history[0].content, /tea, then more tea/, "the original comes first");
  assert.match(history.at(-1).content, /coffee/, "the current version comes last");
  const source = await grace.v1.statuses.$select(posts[2].id).source.fetch();
  assert.match(source.text, /^tea, then coffee/);
  assert.equal(source.spoilerText, "drinks");
  const adaNotes = await ada.v1.notifications.list({ types: ["update"] });
  assert.ok(adaNotes.length >= 1 && adaNotes.every((n) => n.type === "update" && n.status.id === posts[2].id),
    "the booster is told of the edit");

  step("grouped notifications (v2)");
  await hopper.v1.statuses.$select(posts[1].id).favourite();
  const grouped = await grace.v2.notifications.list({ limit: 10 });
  const favGroup = grouped.notificationGroups.find((g) => g.type === "favourite");
  assert.ok(favGroup, "a favourite group");
  assert.equal(favGroup.notificationsCount, 2, "ada's and hopper's favourites of one status group together");
  assert.equal(favGroup.statusId, posts[1].id);
  const hopperAcct = await hopper.v1.accounts.verifyCredentials();
  assert.deepEqual(favGroup.sampleAccountIds, [hopperAcct.id, adaAcct.id], "newest first");
  assert.deepEqual(grouped.notificationGroups.map((g) => g.type).sort(), ["favourite", "follow", "reblog"]);
  assert.ok(grouped.statuses.some((s) => s.id === posts[1].id), "the group's status is included");
  assert.ok(grouped.accounts.some((a) => a.id === hopperAcct.id), "the sample accounts are included");
  const one = await grace.v2.notifications.$select(favGroup.groupKey).fetch();
  assert.equal(one.notificationGroups[0].notificationsCount, 2);
  const unread = await grace.v2.notifications.unreadCount.fetch();
  assert.equal(unread.count, 3, "three groups unread");
  await grace.v2.notifications.$select(favGroup.groupKey).dismiss();
  const afterDismiss = await grace.v2.notifications.list({ limit: 10 });
  assert.ok(!afterDismiss.notificationGroups.some((g) => g.groupKey === favGroup.groupKey), "the dismissed group is gone");

  console.error("masto.js: all steps passed");
}

main().catch((err) => {
  console.error("masto.js flow failed:", err);
  process.exit(1);
});
