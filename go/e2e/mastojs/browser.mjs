// Drives the browser app in browser/ with Debian's Chromium through
// playwright-core: opens PAGE_URL (served from an origin other than
// Starling's), clicks "Log in", fills Starling's login-and-consent form in
// the popup as a person would, waits for the app to finish and prints its
// report as one JSON line on stdout. Exits non-zero, with the page's
// console, when the app or the browser fails. Environment: STARLING_URL,
// PAGE_URL, STARLING_USER, STARLING_PASSWORD, CHROMIUM (default
// /usr/bin/chromium).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const { STARLING_URL, PAGE_URL, STARLING_USER, STARLING_PASSWORD } = process.env;
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
if (!STARLING_URL || !PAGE_URL || !STARLING_USER || !STARLING_PASSWORD) {
  console.error("STARLING_URL, PAGE_URL, STARLING_USER and STARLING_PASSWORD must be set");
  process.exit(2);
}

const consoleLines = [];
const watch = (page, name) => {
  page.on("console", (m) => consoleLines.push(`${name} console.${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`${name} error: ${e.message}`));
  page.on("requestfailed", (r) => consoleLines.push(`${name} request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
};

async function main() {
  const userDataDir = await mkdtemp(join(tmpdir(), "starling-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 60_000,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    watch(page, "app");
    page.setDefaultTimeout(30_000);
    const target = new URL("/index.html", PAGE_URL);
    target.searchParams.set("server", STARLING_URL);
    await page.goto(target.toString());
    await page.waitForFunction(() => window.__ready === true || window.__result !== undefined);

    const early = await page.evaluate(() => window.__result);
    if (!early) {
      const [popup] = await Promise.all([page.waitForEvent("popup"), page.click("#login")]);
      watch(popup, "popup");
      await popup.waitForLoadState();
      const origin = new URL(popup.url()).origin;
      if (origin !== new URL(STARLING_URL).origin) {
        throw new Error(`the popup opened ${popup.url()}, not Starling's login page`);
      }
      await popup.fill("#username", STARLING_USER);
      await popup.fill("#password", STARLING_PASSWORD);
      await popup.click('button[value="approve"]');
    }
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
    const result = await page.evaluate(() => window.__result);
    console.log(JSON.stringify(result));
    if (!result.ok) {
      throw new Error(`the app failed after ${result.steps.join(" > ")}: ${result.error}`);
    }
  } finally {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`browser test failed: ${err.stack || err}`);
  for (const line of consoleLines) console.error(line);
  process.exit(1);
});
