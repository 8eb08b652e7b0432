// Drives a running Starling with masto.js through a poll: the author posts
// one, a second account votes in it (twice over: once refused), and both
// read it back; then a poll with hidden totals shows no counts until it
// ends. STARLING_URL names the server, STARLING_TOKEN is the author's
// token, STARLING_VOTER_TOKEN the voter's.
import assert from "node:assert/strict";
import { createRestAPIClient } from "masto";

const url = process.env.STARLING_URL;
const accessToken = process.env.STARLING_TOKEN;
const voterToken = process.env.STARLING_VOTER_TOKEN;
if (!url || !accessToken || !voterToken) {
  console.error("STARLING_URL, STARLING_TOKEN and STARLING_VOTER_TOKEN must be set");
  process.exit(2);
}
const step = (name) => console.error(`masto.js polls: ${name}`);

// refused runs fn and checks it fails with HTTP status.
async function refused(status, fn, what) {
  try {
    await fn();
  } catch (err) {
    assert.equal(err.statusCode, status, `${what}: ${err.message}`);
    return;
  }
  assert.fail(`${what}: accepted, want ${status}`);
}

async function main() {
  const author = createRestAPIClient({ url, accessToken });
  const voter = createRestAPIClient({ url, accessToken: voterToken });

  step("the instance says what a poll may be");
  const instance = await author.v2.instance.fetch();
  const polls = instance.configuration.polls;
  assert.ok(polls.maxOptions >= 4, `max_options ${polls.maxOptions}`);
  assert.ok(polls.minExpiration <= 300 && polls.maxExpiration >= 86400);

  step("post a poll");
  const status = await author.v1.statuses.create({
    status: "Tea or coffee?",
    poll: { options: ["tea", "coffee", "both"], expiresIn: 3600, multiple: true },
  });
  assert.ok(status.poll, "the status carries its poll");
  assert.deepEqual(status.poll.options.map((o) => o.title), ["tea", "coffee", "both"]);
  assert.equal(status.poll.multiple, true);
  assert.equal(status.poll.expired, false);
  assert.equal(status.poll.votesCount, 0);
  const pollId = status.poll.id;

  step("a second account votes");
  const voted = await voter.v1.polls.$select(pollId).votes.create({ choices: [0, 2] });
  assert.equal(voted.voted, true);
  assert.deepEqual(voted.ownVotes, [0, 2]);
  assert.equal(voted.votesCount, 2);
  assert.equal(voted.votersCount, 1);
  assert.deepEqual(voted.options.map((o) => o.votesCount), [1, 0, 1]);
  await refused(422, () => voter.v1.polls.$select(pollId).votes.create({ choices: [1] }), "voting twice");
  await refused(422, () => voter.v1.polls.$select(pollId).votes.create({ choices: [7] }), "a choice out of range");

  step("the voter and the author read it back");
  const seenByVoter = await voter.v1.polls.$select(pollId).fetch();
  assert.equal(seenByVoter.voted, true);
  assert.deepEqual(seenByVoter.ownVotes, [0, 2]);
  const seenByAuthor = await author.v1.polls.$select(pollId).fetch();
  assert.equal(seenByAuthor.voted, false, "the author did not vote");
  assert.deepEqual(seenByAuthor.ownVotes, []);
  assert.equal(seenByAuthor.votesCount, 2);
  const inStatus = await voter.v1.statuses.$select(status.id).fetch();
  assert.equal(inStatus.poll.voted, true);
  assert.deepEqual(inStatus.poll.options.map((o) => o.votesCount), [1, 0, 1]);
  const home = await author.v1.timelines.home.list({ limit: 5 });
  const inHome = home.find((s) => s.id === status.id);
  assert.ok(inHome, "the poll is in the author's home");
  assert.equal(inHome.poll.votesCount, 2);

  step("hidden totals stay hidden until the end");
  const hidden = await author.v1.statuses.create({
    status: "Secret ballot",
    poll: { options: ["yes", "no"], expiresIn: 3600, hideTotals: true },
  });
  const afterVote = await voter.v1.polls.$select(hidden.poll.id).votes.create({ choices: [1] });
  assert.equal(afterVote.voted, true);
  assert.deepEqual(afterVote.ownVotes, [1]);
  assert.ok(afterVote.options.every((o) => o.votesCount === null), "counts hidden from the voter");
  console.error("masto.js polls: ok");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
