// Reach in a real browser: a reader whose phone speaks French gets the French pages, picks
// Traditional Chinese from the header's picker and keeps it, reads a material's name in
// Chinese beside its translation, and uses the home screen's 在线翻译 tile (the demo's
// simulated LibreTranslate server); every page checked with axe-core.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useStack, phone, checkPage } from "../harness.js";

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
