// Pension-eligibility certification on a phone, as the guide's Step 4 六 shows it: the form,
// the face step, submission, and the department's decision arriving while the applicant
// watches. The department is a simulator of the documented protocol (signed JSON), started
// here on loopback.
import { test, before, after } from "node:test";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { useStack, phone, checkPage, fixturePath, verifiedApplicant, waitForPensionStatus, fillPensionForm } from "../harness.js";

const SECRET = "department shared secret for e2e";
let platformBase = "";

function sign(body) {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

/** A department that acknowledges each record and approves it by callback shortly after. */
function startDepartment() {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => { body += chunk; });
    request.on("end", () => {
      if (request.method !== "POST" || request.url !== "/certifications") {
        response.writeHead(404).end();
        return;
      }
      const { reference } = JSON.parse(body);
      response.writeHead(202, { "Content-Type": "application/json" }).end(JSON.stringify({ receipt: `R-${reference}` }));
      setTimeout(() => {
        const decision = JSON.stringify({ reference, status: "approved" });
        fetch(`${platformBase}/api/v1/pension/callbacks`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Lingshi-Signature": sign(decision) },
          body: decision,
        });
      }, 300);
    });
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server)));
}

let department;
const stack = useStack({ before, after }, async () => {
  department = await startDepartment();
  const { port } = department.address();
  return { LINGSHI_PENSION_DEPARTMENTS: `110000=http://127.0.0.1:${port}`, LINGSHI_PENSION_SECRET: SECRET };
});
after(() => department?.close());

test("a pensioner certifies online and sees the department's approval", async () => {
  platformBase = stack.platform.base;
  const context = await phone(stack.browser, stack.platform.base);
  await verifiedApplicant(stack, context, "pensioner@example.org", "E12345678");
  const page = await context.newPage();
  await page.goto("/");
  await page.getByRole("link", { name: "养老金资格认证" }).click();
  await fillPensionForm(page, "110000");
  await checkPage(page, "pension-01-form");
  await page.getByRole("button", { name: "下一步" }).click();
  await page.waitForURL(/\/pension\/[0-9a-f-]+$/);
  await checkPage(page, "pension-02-face");
  await page.getByLabel("或上传现拍照片").setInputFiles(fixturePath("astronaut.png"));
  await page.locator("#pension-status").waitFor();
  await waitForPensionStatus(page, "审核通过");
  await checkPage(page, "pension-03-approved");
  await page.getByRole("link", { name: "我的订单" }).first().click();
  await page.getByText("审核通过").waitFor();
  await context.close();
});
