// Drives a running Starling with masto.js through the compose flow of a
// photo: upload it (POST /api/v2/media), describe it (PUT), post it,
// read it back in home and in the account's only_media statuses, fetch the
// served file and check its GPS tag is gone; then change the avatar and the
// profile fields. STARLING_URL names the server,
// STARLING_TOKEN is a user token, STARLING_PHOTO a JPEG whose EXIF carries
// the marker GPS-SECRET.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRestAPIClient } from "masto";

const url = process.env.STARLING_URL;
const accessToken = process.env.STARLING_TOKEN;
const photoPath = process.env.STARLING_PHOTO;
if (!url || !accessToken || !photoPath) {
  console.error("STARLING_URL, STARLING_TOKEN and STARLING_PHOTO must be set");
  process.exit(2);
}
const step = (name) => console.error(`masto.js media: ${name}`);

async function main() {
  const client = createRestAPIClient({ url, accessToken });
  const photo = await readFile(photoPath);
  assert.ok(photo.includes("GPS-SECRET"), "the test photo carries its GPS marker");

  step("the instance offers images");
  const instance = await client.v2.instance.fetch();
  assert.ok(instance.configuration.mediaAttachments.supportedMimeTypes.includes("image/jpeg"));
  assert.equal(instance.configuration.statuses.maxMediaAttachments, 4);

  step("upload a photo");
  const media = await client.v2.media.create({
    file: new Blob([photo], { type: "image/jpeg" }),
    description: "A gradient at dusk",
  });
  assert.equal(media.type, "image");
  assert.ok(media.url, "url is set once processed");
  assert.ok(media.blurhash, "blurhash is set");

  step("describe it");
  const updated = await client.v1.media.$select(media.id).update({ description: "A gradient at night", focus: "0.1,-0.2" });
  assert.equal(updated.description, "A gradient at night");
  assert.equal(updated.meta.focus.x, 0.1);

  step("post it");
  const status = await client.v1.statuses.create({ status: "A photo", mediaIds: [media.id] });
  assert.equal(status.mediaAttachments.length, 1);
  assert.equal(status.mediaAttachments[0].id, media.id);

  step("read it back in home and only_media");
  const home = await client.v1.timelines.home.list({ limit: 5 });
  assert.ok(home.some((s) => s.id === status.id && s.mediaAttachments[0]?.description === "A gradient at night"));
  const me = await client.v1.accounts.verifyCredentials();
  const onlyMedia = await client.v1.accounts.$select(me.id).statuses.list({ onlyMedia: true });
  assert.deepEqual(onlyMedia.map((s) => s.id), [status.id]);

  step("the served file has no GPS tag");
  const res = await fetch(status.mediaAttachments[0].url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "image/jpeg");
  const served = Buffer.from(await res.arrayBuffer());
  assert.ok(!served.includes("GPS-SECRET"), "GPS marker served");
  assert.ok(!served.includes("Exif"), "EXIF served");
  const preview = await fetch(status.mediaAttachments[0].previewUrl);
  assert.equal(preview.status, 200);
  step("change the avatar and profile fields");
  const profile = await client.v1.accounts.updateCredentials({
    avatar: new Blob([photo], { type: "image/jpeg" }),
    fieldsAttributes: [
      { name: "Site", value: "https://ada.example" },
      { name: "Pronouns", value: "she/her" },
    ],
  });
  assert.notEqual(profile.avatar, me.avatar, "the avatar changed");
  assert.deepEqual(profile.fields.map((f) => f.name), ["Site", "Pronouns"]);
  assert.ok(profile.fields[0].value.includes('href="https://ada.example"'), "the site is a link");
  assert.deepEqual(profile.source.fields.map((f) => f.value), ["https://ada.example", "she/her"]);
  const avatar = await fetch(profile.avatar);
  assert.equal(avatar.status, 200);
  assert.ok(!Buffer.from(await avatar.arrayBuffer()).includes("GPS-SECRET"), "GPS marker in the avatar");
  console.error("masto.js media: ok");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
