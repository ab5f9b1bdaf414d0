// Test harness for browser tests: a real SMTP server that keeps what it receives, the
// lingshi binary on a free loopback port over a fresh SQLite database, and headless
// Chromium (Debian's) driven by Playwright.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
export const SCREENSHOTS = resolve(import.meta.dirname, "..", "target", "e2e");
const FIXTURES = process.env.LINGSHI_FIXTURES || resolve(import.meta.dirname, "..", "target", "fixtures");

/** Path of a real photograph fetched by the test command (scikit-image's sample images). */
export function fixturePath(name) {
  return join(FIXTURES, name);
}
mkdirSync(SCREENSHOTS, { recursive: true });

export async function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** An SMTP server on 127.0.0.1 keeping parsed messages. */
export async function startMailCatcher() {
  const inbox = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        inbox.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: mail.subject,
          text: mail.text,
          images: mail.attachments.filter((a) => a.contentType.startsWith("image/")).map((a) => a.contentType),
          attachments: mail.attachments.filter((a) => !a.contentType.startsWith("image/")).map((a) => ({ contentType: a.contentType, content: a.content })),
        });
        callback();
      }, callback);
    },
  });
  const port = await freePort();
  await new Promise((done) => server.listen(port, "127.0.0.1", done));
  return {
    port,
    inbox,
    /** Waits for a message to `address` and returns its six-digit code. */
    async codeFor(address, timeoutMs = 15000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const mail = inbox.filter((m) => m.to.includes(address)).at(-1);
        const code = mail && /\b(\d{6})\b/.exec(mail.text);
        if (code) return code[1];
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no code arrived for ${address}`);
    },
    /** Waits for a message to `address` whose subject matches `subject`, and returns it. */
    async mailFor(address, subject, timeoutMs = 15000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const mail = inbox.filter((m) => m.to.includes(address) && subject.test(m.subject)).at(-1);
        if (mail) return mail;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no mail matching ${subject} arrived for ${address}`);
    },
    close: () => new Promise((done) => server.close(done)),
  };
}

/** The platform on a free port (or `port`) with its own data directory; `extraEnv` adds to or
 * overrides its environment, and is what admin commands run against it use too. */
export async function startPlatform(smtpPort, extraEnv = {}, port = undefined) {
  const binary = process.env.LINGSHI_BIN;
  if (!binary) throw new Error("LINGSHI_BIN must name the lingshi binary (the test script sets it)");
  port ??= await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "lingshi-e2e-"));
  const child = spawn(binary, ["serve"], {
    env: {
      ...process.env,
      LINGSHI_ADDR: `127.0.0.1:${port}`,
      LINGSHI_DATA_DIR: dataDir,
      LINGSHI_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      LINGSHI_LOG: "warn",
      DATABASE_URL: "",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => { output += chunk; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`lingshi exited early:\n${output}`);
    try {
      const health = await fetch(`${base}/healthz`);
      if (health.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`lingshi did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    port,
    dataDir,
    env: extraEnv,
    output: () => output,
    /** Asks the node to stop (SIGTERM: it drains) and waits until it has. */
    stop: () => new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", done);
      child.kill("SIGTERM");
    }),
    /** Kills the node outright (SIGKILL), as a crash would. */
    kill: () => new Promise((done) => { child.once("exit", done); child.kill("SIGKILL"); }),
  };
}

/**
 * The astronaut as a phone would take it: the 512 px fixture enlarged to 1440 px by Chromium,
 * with more of its backdrop above the head (its top rows stretched over 180 px), saved as a
 * 1440 × 1620 JPEG — as crates/photo/src/testing.rs makes it. No crop of the fixture itself
 * reaches the print size (390 × 567), so the photo check suggests none for it; it does for this
 * snapshot.
 */
export async function phoneSnapshotPath(browser) {
  const page = await browser.newPage();
  const source = `data:image/png;base64,${readFileSync(fixturePath("astronaut.png")).toString("base64")}`;
  const jpeg = await page.evaluate(async (src) => {
    const image = new Image();
    image.src = src;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = 1440;
    canvas.height = 1620;
    const context = canvas.getContext("2d");
    context.imageSmoothingQuality = "high";
    context.drawImage(image, 0, 0, 512, 8, 0, 0, 1440, 180);
    context.drawImage(image, 0, 180, 1440, 1440);
    return canvas.toDataURL("image/jpeg", 0.92).split(",")[1];
  }, source);
  await page.close();
  const path = join(mkdtempSync(join(tmpdir(), "lingshi-snapshot-")), "astronaut-1440.jpg");
  writeFileSync(path, Buffer.from(jpeg, "base64"));
  return path;
}

const BROWSER_OPTIONS = {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    // Video interviews between two contexts of this one browser: a call over loopback.
    "--allow-loopback-in-peer-connection",
  ],
};

/** Headless Chromium, with a fake camera so the face step can take a real capture and a
 * video interview has frames to send. */
export async function startBrowser() {
  return chromium.launch(BROWSER_OPTIONS);
}

/**
 * A phone-sized Chromium with a profile of its own on disk (Chromium does not install apps
 * from the incognito-like contexts `startBrowser` makes); close the context when done.
 */
export async function phoneWithProfile(base, locale = "zh-CN") {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "lingshi-profile-")), {
    ...BROWSER_OPTIONS,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    locale,
    baseURL: base,
    bypassCSP: true,
  });
}

/** A phone-sized context: 360 px wide, Chinese, camera allowed; `extra` adds context options. */
export async function phone(browser, base, locale = "zh-CN", extra = {}) {
  const context = await browser.newContext({
    ...extra,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    locale,
    baseURL: base,
    // Only so that axe-core can be injected; the pages themselves run under their CSP.
    bypassCSP: true,
  });
  await context.grantPermissions(["camera"], { origin: base });
  return context;
}

const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * Checks the page as a citizen on a phone meets it: nothing wider than the screen, and no
 * accessibility violation of any impact (axe-core, WCAG 2.x A and AA rules).
 */
export async function checkPage(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) throw new Error(`${name}: the page is ${overflow}px wider than the screen`);
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"] } }));
  if (result.violations.length > 0) {
    const lines = result.violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
    throw new Error(`${name}: accessibility violations\n${lines.join("\n")}`);
  }
}

/**
 * Registers `before`/`after` hooks that start the mail catcher, the platform and the
 * browser for a test file, and returns them (filled in once `before` has run).
 */
export function useStack({ before, after }, environment = async () => ({})) {
  const stack = {};
  before(async () => {
    stack.mail = await startMailCatcher();
    stack.platform = await startPlatform(stack.mail.port, await environment(stack));
    stack.browser = await startBrowser();
  });
  after(async () => {
    await stack.browser?.close();
    await stack.platform?.stop();
    await stack.mail?.close();
  });
  return stack;
}

/**
 * An applicant registered, identified (passport number `passport`) and past the face step
 * through the JSON API, then signed in inside the browser `context` with the session cookie:
 * tests about applications start where the registration test ends.
 */
export async function verifiedApplicant(stack, context, email, passport) {
  const base = stack.platform.base;
  const post = (path, body, token, method = "POST") => fetch(`${base}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const password = "correct horse battery";
  const started = await post("/api/v1/registrations", { address: email, password });
  if (started.status !== 202) throw new Error(`registration refused: ${started.status}`);
  const code = await stack.mail.codeFor(email);
  const confirmed = await post("/api/v1/registrations/confirm", { address: email, code });
  const { token } = await confirmed.json();
  const identity = await post("/api/v1/me/identity", { name: "张三", document_kind: "passport", document_number: passport }, token, "PUT");
  if (!identity.ok) throw new Error(`identity refused: ${identity.status}`);
  const skipped = await post("/api/v1/me/identity/face/skip", undefined, token);
  if (!skipped.ok) throw new Error(`face skip refused: ${skipped.status}`);
  await context.addCookies([{ name: "ls_session", value: token, url: base }]);
  return { token, password };
}

/** Reloads a pension certification's page until its status reads `status` (the department
 * decides by callback a moment after the push), or fails after `tries` reloads. */
export async function waitForPensionStatus(page, status, tries = 60) {
  for (let i = 0; i < tries; i++) {
    if ((await page.locator("#pension-status").textContent()) === status) return;
    await new Promise((r) => setTimeout(r, 250));
    await page.reload();
  }
  throw new Error(`the certification never reached ${status}`);
}

/** Fills the pension certification form (养老金资格认证) as 张三, paid in the province whose
 * option `region` names ({ label } or its code). */
export async function fillPensionForm(page, region) {
  await page.getByLabel("真实姓名").fill("张三");
  await page.getByLabel("居民身份证号码").fill("11010519491231002X");
  await page.getByLabel("养老金发放地区").selectOption(region);
  await page.getByLabel("社会保障号码").fill("110105194912");
  await page.getByLabel("现居住地址（国外）").fill("Rue Neuve 1, 1000 Bruxelles");
  await page.getByLabel("联系电话").fill("+32 470 00 00 00");
}

/** A staff member of the Embassy in Belgium, created with the binary's admin command. */
export function createStaff(stack, username, role, password = "staff password 123") {
  execFileSync(process.env.LINGSHI_BIN, [
    "admin", "create-staff", "--username", username, "--name", username, "--role", role, "--mission", "be-embassy",
  ], { env: { ...process.env, LINGSHI_DATA_DIR: stack.platform.dataDir, DATABASE_URL: "", ...stack.platform.env, LINGSHI_STAFF_PASSWORD: password, LINGSHI_LOG: "error" } });
  return { username, password };
}

/** Signs `username` in at the staff console in a desktop-sized context. */
export async function staffConsole(stack, { username, password }) {
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN", baseURL: stack.platform.base, bypassCSP: true });
  const page = await context.newPage();
  await page.goto("/staff/login");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL("**/staff");
  return { context, page };
}

/** A small PDF, as a scanned material. */
export const SUPPLEMENT_PDF = join(mkdtempSync(join(tmpdir(), "lingshi-supplement-")), "residence.pdf");
writeFileSync(SUPPLEMENT_PDF, "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

/** Submits a renewal through the API as the applicant whose session `token` is, paying
 * offline, the document collected `pickup` (at_mission or by_post), the current passport's
 * data page the file `dataPage` (a PDF by default). */
export async function submittedRenewal(stack, token, pickup = "at_mission", dataPage = SUPPLEMENT_PDF) {
  const base = stack.platform.base;
  const call = async (method, path, body, type = "application/json") => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { "Content-Type": type, Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : (type === "application/json" ? JSON.stringify(body) : body),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const order = await call("POST", "/api/v1/orders", {
    service: "passport", statement_accepted: true, mission_id: "be-embassy", residence_country: "BE",
    route: { held: "ordinary_passport", lost: false }, application_type: "renewal.passport.renewal",
  });
  const id = order.id;
  await call("PUT", `/api/v1/orders/${id}/steps/details`, {
    surname_zh: "张", given_name_zh: "三", surname_pinyin: "ZHANG", given_name_pinyin: "SAN", sex: "male",
    birth_date: "1990-05-01", birth_place: "北京", document_number: "E12345678", address: "Avenue Louise 1, 1050 Bruxelles",
    phone: "+32 470 12 34 56", occupation: "工程师", emergency_contact_name: "李四", emergency_contact_phone: "+32 2 663 30 01",
  });
  await call("PUT", `/api/v1/orders/${id}/steps/annotations`, { kind: "none" });
  await call("PUT", `/api/v1/orders/${id}/files/photo`, readFileSync(fixturePath("astronaut.png")), "image/png");
  await call("PUT", `/api/v1/orders/${id}/steps/photo`, {});
  await call("PUT", `/api/v1/orders/${id}/files/signature`, readFileSync(fixturePath("astronaut.png")), "image/png");
  await call("PUT", `/api/v1/orders/${id}/steps/declaration`, { signer: "applicant" });
  const pageType = dataPage.endsWith(".png") ? "image/png" : "application/pdf";
  await call("PUT", `/api/v1/orders/${id}/files/current_document_page`, readFileSync(dataPage), pageType);
  await call("PUT", `/api/v1/orders/${id}/steps/materials`, {});
  await call("PUT", `/api/v1/orders/${id}/steps/delivery`, { submission: "by_post", pickup });
  await call("PUT", `/api/v1/orders/${id}/steps/review`, { confirmed: true });
  await call("POST", `/api/v1/orders/${id}/face/skip`);
  await call("PUT", `/api/v1/orders/${id}/steps/payment`, { method: "offline" });
  return call("POST", `/api/v1/orders/${id}/submit`);
}

/** ICAO 9303's check digit of `field` (weights 7, 3, 1; A–Z 10–35; the filler 0). */
function checkDigit(field) {
  const value = (c) => (c === "<" ? 0 : /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55);
  return String([...field].reduce((sum, c, i) => sum + value(c) * [7, 3, 1][i % 3], 0) % 10);
}

/** A passport data page for `holder` ({surname, given, number, birth: YYMMDD, sex}), drawn
 * by the browser with Debian's OCR-B and saved as a PNG: the visible fields and the
 * machine-readable zone (TD3) with its check digits. */
export async function passportDataPage(browser, holder) {
  const fill = (text, width) => text.padEnd(width, "<").slice(0, width);
  const first = fill(`POCHN${holder.surname}<<${holder.given}`, 44);
  const number = fill(holder.number, 9);
  const head = `${number}${checkDigit(number)}CHN${holder.birth}${checkDigit(holder.birth)}${holder.sex}340101${checkDigit("340101")}`;
  const second = `${head}${"<".repeat(14)}<`;
  const lines = [first, second + checkDigit(second.slice(0, 10) + second.slice(13, 20) + second.slice(21, 43))];
  const page = await browser.newPage({ viewport: { width: 1250, height: 880 } });
  await page.setContent(`<body style="margin:0;background:#ece8e0;font-family:'OCR B',monospace;color:#222">
    <div style="position:absolute;left:60px;top:150px;width:310px;height:410px;background:#bbb"></div>
    <div style="position:absolute;left:420px;top:170px;font-size:30px;line-height:60px">${holder.surname}<br>${holder.given}<br>${holder.number}</div>
    <pre style="position:absolute;left:66px;top:700px;margin:0;font-family:'OCR B';font-size:35px;line-height:70px">${lines.join("\n").replaceAll("<", "&lt;")}</pre>
  </body>`);
  const path = join(mkdtempSync(join(tmpdir(), "lingshi-data-page-")), "data-page.png");
  await page.screenshot({ path });
  await page.close();
  return path;
}
