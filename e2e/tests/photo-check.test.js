// A citizen checks a passport photo before applying: every rule is listed in plain words,
// failures included, and nothing stops them going on.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useStack, phone, checkPage, fixturePath } from "../harness.js";

const stack = useStack({ before, after });

test("the photo check lists each rule of the specification with its verdict", async () => {
  const context = await phone(stack.browser, stack.platform.base);
  const page = await context.newPage();
  await page.goto("/");
  await page.getByRole("link", { name: "证件照片检查" }).click();
  await page.getByLabel("选择照片").setInputFiles(fixturePath("astronaut.png"));
  await page.locator("#photo-rules li").nth(12).waitFor();
  assert.equal(await page.locator("#photo-rules li").count(), 13);
  assert.equal(await page.locator('#photo-rules li[data-rule="one_face"]').getAttribute("data-verdict"), "pass");
  assert.equal(await page.locator('#photo-rules li[data-rule="head_height"]').getAttribute("data-verdict"), "fail");
  assert.match(await page.locator('#photo-rules li[data-rule="background_white"]').innerText(), /背景应为白色/);
  await checkPage(page, "40-photo-check-report");
  await context.close();
});
