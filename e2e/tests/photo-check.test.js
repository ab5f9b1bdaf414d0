// A citizen checks a passport photo before applying: every rule is listed in plain words,
// failures included, and nothing stops them going on.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { useStack, phone, checkPage, fixturePath, phoneSnapshotPath } from "../harness.js";

const stack = useStack({ before, after });

test("the photo check lists each rule of the specification with its verdict", async () => {
  const context = await phone(stack.browser, stack.platform.base);
  const page = await context.newPage();
  await page.goto("/");
  await page.getByRole("link", { name: "证件照片检查" }).click();
  await page.getByLabel("选择照片").setInputFiles(fixturePath("astronaut.png"));
  await page.locator("#photo-rules li").nth(16).waitFor();
  assert.equal(await page.locator("#photo-rules li").count(), 17);
  assert.equal(await page.locator('#photo-rules li[data-rule="one_face"]').getAttribute("data-verdict"), "pass");
  assert.equal(await page.locator('#photo-rules li[data-rule="head_height"]').getAttribute("data-verdict"), "fail");
  assert.match(await page.locator('#photo-rules li[data-rule="background_white"]').innerText(), /背景应为白色/);
  // The rules that need the eyes (BlazeFace's landmarks): the astronaut's are open and level.
  assert.equal(await page.locator('#photo-rules li[data-rule="eyes_visible"]').getAttribute("data-verdict"), "pass");
  assert.match(await page.locator('#photo-rules li[data-rule="head_tilt"]').innerText(), /头部端正/);
  assert.match(await page.locator('#photo-rules li[data-rule="head_height"]').innerText(), /测量值 [\d.]+ 像素\)/, "units in words");
  await checkPage(page, "40-photo-check-report");
  await context.close();
});

/** Width and height of a baseline or progressive JPEG, from its start-of-frame segment. */
function jpegSize(bytes) {
  for (let at = 2; at + 9 < bytes.length; ) {
    const marker = bytes[at + 1];
    if (marker === 0xc0 || marker === 0xc2) return { width: bytes.readUInt16BE(at + 7), height: bytes.readUInt16BE(at + 5) };
    at += 2 + bytes.readUInt16BE(at + 2);
  }
  throw new Error("no start-of-frame in the saved photo");
}

test("a loose snapshot gets the suggested crop to see and save", async () => {
  const snapshot = await phoneSnapshotPath(stack.browser);
  const photo = readFileSync(snapshot);
  const checked = await fetch(`${stack.platform.base}/api/v1/photo-checks`, {
    method: "POST",
    headers: { "content-type": "image/jpeg" },
    body: photo,
  }).then((response) => response.json());
  const suggested = checked.suggested_crop;
  assert.ok(suggested && suggested.width > 0, "the API suggests a crop for the snapshot");
  const context = await phone(stack.browser, stack.platform.base);
  const page = await context.newPage();
  await page.goto("/photo-check");
  assert.equal(await page.locator("#photo-crop").isVisible(), false);
  await page.getByLabel("选择照片").setInputFiles(snapshot);
  await page.locator("#photo-crop").waitFor();
  const preview = await page.locator("#photo-crop-preview").evaluate((canvas) => ({ width: canvas.width, height: canvas.height }));
  assert.deepEqual(preview, { width: suggested.width, height: suggested.height });
  await checkPage(page, "41-photo-check-crop");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByText("保存裁剪后的照片").click()]);
  assert.equal(download.suggestedFilename(), "photo-cropped.jpg");
  const saved = readFileSync(await download.path());
  assert.deepEqual(jpegSize(saved), { width: suggested.width, height: suggested.height });
  await context.close();
});
