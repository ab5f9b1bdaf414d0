// Reach in a real browser: a reader whose phone speaks French gets the French pages, picks
// Traditional Chinese from the header's picker and keeps it, and uses the home screen's
// 在线翻译 tile (the demo's simulated LibreTranslate server); the site passes Chromium's
// installability check, and a step typed while the connection is down is kept on the phone
// and sent once when it returns. Every page checked with axe-core.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { useStack, phone, phoneWithProfile, checkPage, verifiedApplicant, SCREENSHOTS } from "../harness.js";

const stack = useStack({ before, after });

test("a French reader switches to Traditional Chinese and translates a phrase", async () => {
  const context = await phone(stack.browser, stack.platform.base, "fr-BE");
  const page = await context.newPage();
  await page.goto("/");
  assert.equal(await page.locator("html").getAttribute("lang"), "fr");
  await page.getByRole("heading", { name: "Services consulaires chinois" }).waitFor();
  for (const tile of ["Informations consulaires", "Traduction en ligne", "Appeler le numéro d'urgence 12308"]) {
    await page.getByRole("link", { name: tile }).waitFor();
  }
  assert.equal(await page.getByRole("link", { name: "Appeler le numéro d'urgence 12308" }).getAttribute("href"), "tel:+861012308");
  await checkPage(page, "reach-01-home-fr");

  await page.getByRole("link", { name: "Traduction en ligne" }).click();
  await page.waitForURL("**/translate");
  await page.locator("#translate-simulated").waitFor();
  await page.getByLabel("Texte à traduire").fill("我的护照丢了");
  await page.getByRole("button", { name: "Traduire" }).click();
  await page.locator("#translation").waitFor();
  assert.equal(await page.locator("#translation p[lang=fr]").textContent(), "J'ai perdu mon passeport");
  await checkPage(page, "reach-02-translation-fr");
  await page.getByLabel("Texte à traduire").fill("");
  await page.getByRole("button", { name: "Traduire" }).click();
  await page.locator("#text-error").waitFor();
  await checkPage(page, "reach-03-translation-error-fr");

  await page.locator("details.languages summary").click();
  await page.getByRole("link", { name: "繁體中文" }).click();
  await page.waitForURL("**/translate");
  assert.equal(await page.locator("html").getAttribute("lang"), "zh-Hant");
  await page.getByRole("heading", { name: "線上翻譯" }).waitFor();
  await page.goto("/");
  await page.getByRole("heading", { name: "中國領事服務" }).waitFor();
  await checkPage(page, "reach-04-home-zh-hant");
  await context.close();
});

const ADULT = {
  "姓（中文）": "王", "名（中文）": "五", "姓（拼音）": "WANG", "名（拼音）": "WU",
  "出生日期": "1988-03-02", "出生地": "上海", "现居住地址（国外）": "Rue Haute 10, 1000 Bruxelles",
  "联系电话": "+32 470 00 00 01", "职业": "教师", "紧急联系人": "王六", "紧急联系人电话": "+32 2 663 30 01",
  "现持（或遗失）证件号码": "E55555555",
};

test("the app installs, and a step typed while offline is sent once the connection returns", async () => {
  const context = await phoneWithProfile(stack.platform.base);
  const page = context.pages()[0] ?? await context.newPage();
  await page.goto("/download/be-embassy");
  await page.getByRole("heading", { name: "添加到主屏幕" }).waitFor();
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  assert.deepEqual(installabilityErrors, [], "Chromium would install the app");
  const manifest = await cdp.send("Page.getAppManifest");
  assert.equal(JSON.parse(manifest.data).short_name, "领事");
  await checkPage(page, "reach-05-download-add-to-home");

  const { token } = await verifiedApplicant(stack, context, "offline@example.com", "E55555555");
  const started = await fetch(`${stack.platform.base}/api/v1/orders`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ service: "passport", statement_accepted: true, mission_id: "be-embassy", residence_country: "BE",
      route: { held: "ordinary_passport", lost: false }, application_type: "renewal.passport.renewal" }),
  });
  const order = await started.json();
  await page.goto(`/orders/${order.id}/steps/details`);
  assert.equal(await page.title(), "步骤 1/9 填写个人信息 · 领事");
  await page.getByRole("heading", { name: "步骤 1/9 填写个人信息" }).waitFor();

  // Half the form, then the connection drops: a reload shows the kept offline page, and the
  // step page, once back, puts back what was typed.
  await page.getByLabel("男", { exact: true }).check();
  await page.getByLabel("姓（中文）", { exact: true }).fill(ADULT["姓（中文）"]);
  await context.setOffline(true);
  await page.reload();
  await page.locator("#offline").waitFor();
  await checkPage(page, "reach-06-offline");
  await context.setOffline(false);
  await page.goto(`/orders/${order.id}/steps/details`);
  await page.locator(".draft-status").waitFor();
  assert.equal(await page.getByLabel("姓（中文）", { exact: true }).inputValue(), "王", "what was typed came back");

  // The rest typed offline; 下一步 waits and says so, then goes once the connection returns.
  const sent = [];
  page.on("request", (request) => {
    if (request.method() === "POST" && request.url().endsWith("/steps/details")) sent.push(request.url());
  });
  await context.setOffline(true);
  for (const [label, value] of Object.entries(ADULT)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole("button", { name: "下一步" }).click();
  await page.getByText("网络已断开：您填写的内容已保存在本机").waitFor();
  await page.getByRole("button", { name: "下一步" }).click();
  assert.match(page.url(), /steps\/details$/, "nothing was sent while offline");
  await checkPage(page, "reach-07-draft-waiting");
  await context.setOffline(false);
  await page.waitForURL("**/steps/annotations");
  const saved = await fetch(`${stack.platform.base}/api/v1/orders/${order.id}`, { headers: { Authorization: `Bearer ${token}` } });
  const view = await saved.json();
  assert.equal(view.form.details.surname_pinyin, "WANG", "the step reached the server");
  assert.equal(view.form.details.occupation, "教师");
  assert.equal(sent.length, 1, "sent once, however often 下一步 was pressed offline");
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("lingshi-draft:")).length), 0,
    "the draft is gone once the server has it");
  await context.close();
});

// A phone on a slow 3G link (Chromium's throttling through the DevTools protocol: 1.6 Mbit/s
// down, 750 kbit/s up, 150 ms round trip) walks the public pages and a translation; each
// page's time from navigation to its load event is written to target/e2e/throttled.txt (a
// measure, not a test condition: times depend on the machine).
test("the pages stay usable on a slow 3G link", async () => {
  // No service worker: its own fetches would not be throttled, and nothing is cached ahead.
  const context = await phone(stack.browser, stack.platform.base, "zh-CN", { serviceWorkers: "block" });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
  });
  const timings = [];
  const loaded = async (name) => {
    await page.waitForLoadState("load");
    const ms = await page.evaluate(() => {
      const [navigation] = performance.getEntriesByType("navigation");
      return Math.round(navigation.loadEventEnd - navigation.startTime);
    });
    timings.push(`${name}\t${ms} ms`);
  };
  await page.goto("/");
  await loaded("home (first visit, nothing cached)");
  await page.getByRole("link", { name: "使领馆" }).first().click();
  await loaded("missions");
  await page.goto("/missions/be-embassy");
  await loaded("mission page");
  await page.goto("/");
  await page.getByRole("link", { name: "在线翻译" }).click();
  await loaded("translation form");
  await page.getByLabel("要翻译的文字").fill("谢谢");
  await page.getByRole("button", { name: "翻译" }).click();
  await page.locator("#translation").waitFor();
  await loaded("translation answer");
  await page.goto("/register");
  await loaded("register");
  await page.goto("/legalization");
  await loaded("legalization check");
  assert.equal(timings.length, 7);
  writeFileSync(join(SCREENSHOTS, "throttled.txt"), `${timings.join("\n")}\n`);
  await context.close();
});
