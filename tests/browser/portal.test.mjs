// Real-browser tests of the portal built from example-repo: Debian's
// chromium driven by playwright-core, from file:// as an auditor opens it.
// .ci/run builds the portal and sets AIMSC_PORTAL; run by hand with
//   AIMSC_PORTAL=/path/to/_site node --test
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const portal = resolve(process.env.AIMSC_PORTAL ?? join(here, "../../target/portal-example"));
const artifacts = resolve(process.env.AIMSC_ARTIFACTS ?? join(here, "../../target/browser"));
const axeSource = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");
const url = (page) => pathToFileURL(join(portal, page)).href;

let browser;
let context;
const consoleErrors = [];

before(async () => {
  assert.ok(existsSync(join(portal, "index.html")), `no portal at ${portal}: build it with aimsc build`);
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  // The portal must need nothing from the network.
  await context.route(/^https?:/, (route) => {
    consoleErrors.push(`network request to ${route.request().url()}`);
    return route.abort();
  });
});

after(async () => {
  await browser?.close();
});

async function open(page) {
  const p = await context.newPage();
  p.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(`${page}: ${msg.text()}`);
  });
  p.on("pageerror", (err) => consoleErrors.push(`${page}: ${err.message}`));
  await p.goto(url(page));
  return p;
}

// axe-core would fetch stylesheets with XHR, which file:// forbids; the
// rules it needs read the computed styles instead (preload: false).
async function axe(p, name) {
  await p.addScriptTag({ content: axeSource });
  const result = await p.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"], preload: false }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0]?.target}`),
    [],
    `axe-core: serious or critical accessibility violations on ${name}`,
  );
}

test("the dashboard renders without console errors and is accessible", async () => {
  const p = await open("index.html");
  assert.match(await p.title(), /Dashboard/);
  assert.ok(await p.locator("svg").count() > 0, "coverage charts are inline SVG");
  await p.screenshot({ path: join(artifacts, "dashboard.png"), fullPage: true });
  await axe(p, "index.html");
  await p.close();
});

test("the ISO 42001 SoA lists all 38 controls", async () => {
  const p = await open("soa/iso42001.html");
  const ids = await p.locator("tbody tr[data-state]").evaluateAll((rows) => rows.map((r) => r.id));
  assert.equal(ids.length, 38, `rows: ${ids.join(", ")}`);
  for (const id of ["A.2.2", "A.6.1.2", "A.6.2.8", "A.10.4"]) assert.ok(ids.includes(id), `${id} is listed`);
  await axe(p, "soa/iso42001.html");
  await p.close();
});

test("search finds a document by a word of its body", async () => {
  // "Parlance" appears only in the bodies and titles of the support-assistant documents.
  const p = await open("search.html");
  await p.fill("#search-q", "Parlance");
  await p.press("#search-q", "Enter");
  await p.waitForSelector("#search-results li a");
  const hrefs = await p.locator("#search-results li a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(hrefs.some((h) => h.includes("documents/AIS-002")), `results: ${hrefs.join(", ")}`);
  await axe(p, "search.html");
  await p.close();
});

test("a link from a document reaches its control page", async () => {
  const p = await open("documents/POL-AI-001.html");
  const link = p.locator('a[href$="requirements/iso42001/A.2.2.html"]').first();
  await link.click();
  await p.waitForURL(/requirements\/iso42001\/A\.2\.2\.html$/);
  assert.match(await p.locator("h1").innerText(), /A\.2\.2/);
  await axe(p, "requirements/iso42001/A.2.2.html");
  await p.close();
});

test("registers and findings are accessible", async () => {
  for (const page of ["registers/documents.html", "registers/ai-systems.html", "registers/risks.html", "findings.html", "traceability.html", "scope.html"]) {
    const p = await open(page);
    await axe(p, page);
    await p.close();
  }
});

test("no page logged a console error or reached the network", () => {
  assert.deepEqual(consoleErrors, []);
});

test("every page is valid HTML for the Nu Html Checker", () => {
  const jar = join(here, "node_modules/vnu-jar/build/dist/vnu.jar");
  try {
    execFileSync("java", ["-jar", jar, "--errors-only", "--skip-non-html", portal], { stdio: "pipe" });
  } catch (e) {
    assert.fail(`vnu found errors:\n${e.stderr?.toString() ?? e}`);
  }
});
