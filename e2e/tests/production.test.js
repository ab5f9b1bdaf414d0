// Production (LINGSHI_DEMO=false): no demo staff account, no simulated department; the
// pension form says plainly that no department is connected and sends the pensioner to the
// paper form.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useStack, phone, checkPage, verifiedApplicant } from "../harness.js";

const stack = useStack({ before, after }, async () => ({ LINGSHI_DEMO: "false" }));

test("production starts with neither a demo account nor a simulator", async () => {
  assert.doesNotMatch(stack.platform.output(), /Demo staff account|simulated/);
  const context = await phone(stack.browser, stack.platform.base);
  await verifiedApplicant(stack, context, "prod.pensioner@example.org", "E12345678");
  const page = await context.newPage();
  await page.goto("/pension");
  await page.getByText("目前尚未接通任何地方人社部门").waitFor();
  assert.equal(await page.locator("#pension-simulated").count(), 0);
  await checkPage(page, "production-pension-no-department");
  await context.close();
});
