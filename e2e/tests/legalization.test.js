// Verification of consular legalizations: an issuer imports a CSV at the console (one row is
// refused and reported), and anyone, without an account, checks a certificate on a phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useStack, phone, checkPage, createStaff, staffConsole } from "../harness.js";

const stack = useStack({ before, after });

test("legalizations are imported by staff and checked by anyone", async () => {
  const issuer = await staffConsole(stack, createStaff(stack, "issuer.legal", "issuer"));
  await issuer.page.getByRole("link", { name: "领事认证登记" }).click();
  await issuer.page.getByLabel(/粘贴 CSV/).fill(
    "certificate_no,check_code,document_type,issued_on,holder_name\n" +
    "BE-2026-000300,K9X2M4,出生公证书,2026-02-10,赵六\n" +
    "BE-2026-000300,K9X2M5,重复,2026-02-11,钱七\n");
  await issuer.page.getByRole("button", { name: "CSV 批量导入" }).click();
  await issuer.page.locator("#import-report").waitFor();
  assert.match(await issuer.page.locator("#import-report").textContent(), /该认证编号已登记/);
  await checkPage(issuer.page, "legalization-01-import-report");
  await issuer.context.close();

  const context = await phone(stack.browser, stack.platform.base);
  const page = await context.newPage();
  await page.goto("/");
  await page.getByRole("link", { name: "查验领事认证" }).click();
  await page.getByLabel("认证编号").fill("be-2026-000300");
  await page.getByLabel("查验码").fill("K9X2M4");
  await page.getByRole("button", { name: "查验" }).click();
  await page.getByText("该领事认证真实有效").waitFor();
  assert.match(await page.locator("#legalization-answer").textContent(), /赵\*/);
  await checkPage(page, "legalization-02-genuine");
  await page.getByLabel("认证编号").fill("BE-2026-000300");
  await page.getByLabel("查验码").fill("WRONG1");
  await page.getByRole("button", { name: "查验" }).click();
  await page.getByText("未查到与该编号和查验码相符的领事认证").waitFor();
  await checkPage(page, "legalization-03-not-found");
  await context.close();
});

test("staff publish a notice and a reader finds it with the mission's hours and numbers", async () => {
  const writer = await staffConsole(stack, createStaff(stack, "writer.be", "reviewer"));
  await writer.page.getByRole("link", { name: "领事实用资讯" }).click();
  await writer.page.getByLabel("标题").fill("春节期间暂停对外办公");
  await writer.page.getByLabel("正文（Markdown）").fill("**2月17日**休息。<script>window.hacked = 1</script>");
  await writer.page.getByRole("button", { name: "保存（暂不发布）" }).click();
  await writer.page.getByRole("button", { name: "发布", exact: true }).click();
  await writer.page.getByText("已发布").first().waitFor();
  await checkPage(writer.page, "notices-01-staff");
  await writer.context.close();

  const context = await phone(stack.browser, stack.platform.base);
  const page = await context.newPage();
  await page.goto("/missions/be-embassy");
  await page.locator("#open-now").waitFor();
  assert.equal(await page.getByRole("link", { name: "12308" }).first().getAttribute("href"), "tel:+861012308");
  await checkPage(page, "notices-02-mission");
  await page.getByRole("link", { name: "领事实用资讯" }).click();
  await page.getByText("春节期间暂停对外办公").waitFor();
  assert.equal(await page.evaluate(() => window.hacked), undefined, "the script in the notice did not run");
  await checkPage(page, "notices-03-reader");
  await context.close();
});
