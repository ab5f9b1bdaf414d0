// The two-command start (demo mode, no department configured): pension certification works
// end to end against the built-in simulated department, which every page labels as such;
// regions are chosen by name. Also: a citizen signing in from a service tile comes back to
// that service.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useStack, phone, checkPage, fixturePath, verifiedApplicant, waitForPensionStatus, fillPensionForm } from "../harness.js";

const stack = useStack({ before, after });

test("in demo mode a pensioner picks a province by name and the simulated department approves", async () => {
  assert.match(stack.platform.output(), /simulated social-security department/);
  const setup = await phone(stack.browser, stack.platform.base);
  const { password } = await verifiedApplicant(stack, setup, "demo.pensioner@example.org", "E12345678");
  await setup.close();

  const context = await phone(stack.browser, stack.platform.base);
  const page = await context.newPage();
  await page.goto("/");
  await page.getByRole("link", { name: "养老金资格认证" }).click();
  await page.waitForURL(/\/login\?next=%2Fpension$/);
  await page.getByLabel("手机号或电子邮箱").fill("demo.pensioner@example.org");
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL("**/pension");

  await page.locator("#pension-simulated").waitFor();
  const regions = await page.getByLabel("养老金发放地区").locator("option").allTextContents();
  assert.ok(regions.includes("北京市") && regions.includes("广东省") && regions.length === 32, regions.join(","));
  await fillPensionForm(page, { label: "广东省" });
  await checkPage(page, "pension-demo-01-form");
  await page.getByRole("button", { name: "下一步" }).click();
  await page.waitForURL(/\/pension\/[0-9a-f-]+$/);
  await page.getByLabel("或上传现拍照片").setInputFiles(fixturePath("astronaut.png"));
  await page.locator("#pension-status").waitFor();
  await waitForPensionStatus(page, "审核通过");
  await page.locator("#pension-simulated").waitFor();
  await page.getByText("广东省").waitFor();
  await checkPage(page, "pension-demo-02-approved");
  await context.close();
});
