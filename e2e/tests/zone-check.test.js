// The current passport's data page, read and cross-checked: the applicant uploads a data
// page (drawn by the browser in OCR-B) whose machine-readable zone carries another passport
// number than the one typed; the order is submitted all the same, the applicant's order
// page warns gently, and the reviewer's screen flags the difference with both values.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useStack, phone, checkPage, verifiedApplicant, createStaff, staffConsole, submittedRenewal, passportDataPage } from "../harness.js";

const stack = useStack({ before, after });

test("a data page whose zone differs from the form is flagged for the applicant and the reviewer", async () => {
  const applicant = await phone(stack.browser, stack.platform.base);
  const { token } = await verifiedApplicant(stack, applicant, "li@example.org", "E12345678");
  const dataPage = await passportDataPage(stack.browser, { surname: "ZHANG", given: "SAN", number: "E12345679", birth: "900501", sex: "M" });
  const order = await submittedRenewal(stack, token, "at_mission", dataPage);
  assert.equal(order.state, "under_review", "a difference blocks nothing");
  assert.equal(order.zone_check.status, "differs");
  assert.deepEqual(order.zone_check.mismatches.map((m) => [m.field, m.on_page, m.typed]), [["document_number", "E12345679", "E12345678"]]);

  const page = await applicant.newPage();
  await page.goto(`/orders/${order.id}`);
  const warning = page.locator("#zone-check");
  await warning.waitFor();
  assert.match(await warning.innerText(), /请核对/);
  assert.match(await warning.locator('[data-field="document_number"]').innerText(), /E12345679/);
  await checkPage(page, "zone-check-01-applicant");

  const reviewer = await staffConsole(stack, createStaff(stack, "reviewer.zone", "reviewer"));
  await reviewer.page.goto(`/staff/orders/${order.id}`);
  const flag = reviewer.page.locator("#zone-check");
  await flag.waitFor();
  assert.match(await flag.innerText(), /机读码核对/);
  const row = flag.locator('tr[data-field="document_number"] td');
  assert.deepEqual(await row.allInnerTexts(), ["E12345679", "E12345678"], "the page's value beside the form's");
  assert.equal(await flag.locator("tbody tr").count(), 1, "names, birth date and sex agree");
  await checkPage(reviewer.page, "zone-check-02-reviewer");
});
