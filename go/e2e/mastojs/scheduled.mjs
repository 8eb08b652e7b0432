// Drives a running Starling with masto.js through a scheduled post, in two
// steps the test runs with its clock move between them (STARLING_STEP):
//
//   schedule:  too soon is refused (Mastodon's 5 minutes); a post with a
//              photo is scheduled (an Idempotency-Key retry returns the same
//              one), listed and read back, nothing is published; prints the
//              scheduled status's ID on stdout.
//   published: (after the test moved its time into the past in the
//              server's database) waits until the server's scheduler has
//              published it: the list empties, the status is in home exactly
//              once, with its photo.
//
// STARLING_URL names the server, STARLING_TOKEN is a user token,
// STARLING_PHOTO a JPEG, STARLING_SCHEDULED the ID the first step printed.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createRestAPIClient } from "masto";

const { STARLING_URL: url, STARLING_TOKEN: accessToken, STARLING_STEP: stepName } = process.env;
if (!url || !accessToken || !stepName) {
  console.error("STARLING_URL, STARLING_TOKEN and STARLING_STEP must be set");
  process.exit(2);
}
const step = (name) => console.error(`masto.js scheduled (${stepName}): ${name}`);
const text = "Published later by the scheduler";

async function schedule(client) {
  step("too soon is refused");
  const soon = new Date(Date.now() + 60_000).toISOString();
  await assert.rejects(client.v1.statuses.create({ status: text, scheduledAt: soon }), (err) => err.statusCode === 422);

  step("schedule a post with a photo");
  const photo = await readFile(process.env.STARLING_PHOTO);
  const media = await client.v2.media.create({ file: new Blob([photo], { type: "image/jpeg" }), description: "later" });
  const at = new Date(Date.now() + 3600_000).toISOString();
  const params = { status: text, mediaIds: [media.id], scheduledAt: at };
  const meta = { requestInit: { headers: { "Idempotency-Key": `scheduled-${Date.now()}` } } };
  const scheduled = await client.v1.statuses.create(params, meta);
  assert.ok(scheduled.id && scheduled.scheduledAt, "a ScheduledStatus comes back");
  assert.equal(new Date(scheduled.scheduledAt).getTime(), new Date(at).getTime());
  assert.equal(scheduled.params.text, text);
  assert.equal(scheduled.params.visibility, null, "visibility not given: null");
  assert.deepEqual(scheduled.params.mediaIds, [media.id]);
  assert.deepEqual(scheduled.mediaAttachments.map((m) => m.id), [media.id]);
  const retried = await client.v1.statuses.create(params, meta);
  assert.equal(retried.id, scheduled.id, "the same Idempotency-Key returns the same scheduled status");

  step("listed and read back; nothing published yet");
  const list = await client.v1.scheduledStatuses.list();
  assert.deepEqual(list.map((s) => s.id), [scheduled.id]);
  const one = await client.v1.scheduledStatuses.$select(scheduled.id).fetch();
  assert.equal(one.params.text, text);
  const home = await client.v1.timelines.home.list({ limit: 20 });
  assert.ok(!home.some((s) => s.content.includes(text)), "published before its time");
  console.log(scheduled.id);
}

async function published(client) {
  const id = process.env.STARLING_SCHEDULED;
  assert.ok(id, "STARLING_SCHEDULED must be set");
  step("wait for the scheduler");
  let left = [];
  for (let i = 0; i < 300; i++) {
    left = await client.v1.scheduledStatuses.list();
    if (left.length === 0) break;
    await sleep(100);
  }
  assert.deepEqual(left, [], "still scheduled after 30 s");
  await refused404(() => client.v1.scheduledStatuses.$select(id).fetch());

  step("published once, with its photo");
  const home = await client.v1.timelines.home.list({ limit: 40 });
  const mine = home.filter((s) => s.content.includes(text));
  assert.equal(mine.length, 1, `${mine.length} copies in home`);
  assert.equal(mine[0].mediaAttachments.length, 1);
  assert.equal(mine[0].mediaAttachments[0].description, "later");
  assert.equal(mine[0].visibility, "public", "the account's default visibility");
  const me = await client.v1.accounts.verifyCredentials();
  const own = await client.v1.accounts.$select(me.id).statuses.list({ onlyMedia: true });
  assert.deepEqual(own.map((s) => s.id), [mine[0].id]);
  const file = await fetch(mine[0].mediaAttachments[0].url);
  assert.equal(file.status, 200);
}

async function refused404(fn) {
  try {
    await fn();
  } catch (err) {
    assert.equal(err.statusCode, 404);
    return;
  }
  assert.fail("the published scheduled status is still readable");
}

async function main() {
  const client = createRestAPIClient({ url, accessToken });
  if (stepName === "schedule") await schedule(client);
  else if (stepName === "published") await published(client);
  else throw new Error(`unknown STARLING_STEP ${stepName}`);
  console.error(`masto.js scheduled (${stepName}): ok`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
