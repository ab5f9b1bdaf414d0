// An order from review to hand-over: a reviewer asks for a supplement, the applicant (in
// another browser context, on a phone) uploads it, the reviewer accepts, the issuer marks
// the document ready, the cashier records the payment, and hand-over completes the order;
// and an offline payer whose document goes by post pays the mailed payment notice online.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useStack, phone, checkPage, fixturePath, verifiedApplicant, createStaff, staffConsole, submittedRenewal, SUPPLEMENT_PDF as PDF } from "../harness.js";

const stack = useStack({ before, after });
test("a supplement is asked, answered online, and the order is accepted, made, paid and handed over", async () => {
  const applicantContext = await phone(stack.browser, stack.platform.base);
  const { token } = await verifiedApplicant(stack, applicantContext, "zhang@example.org", "E12345678");
  const order = await submittedRenewal(stack, token);
  const reviewer = await staffConsole(stack, createStaff(stack, "reviewer.be", "reviewer"));

  await reviewer.page.getByRole("link", { name: "订单审核" }).click();
  await reviewer.page.getByRole("link", { name: order.number }).click();
  await reviewer.page.locator("#photo-report").waitFor();
  assert.match(await reviewer.page.locator("#photo-report").innerText(), /\([\d.]+ 毫米\)/, "the officer reads the measures with their units");
  // The measures drawn over the photo: the face box, the head's lines, the allowed bands.
  assert.equal(await reviewer.page.locator("#photo-outline rect.face").count(), 1);
  assert.equal(await reviewer.page.locator("#photo-outline rect.band").count(), 3);
  assert.equal(await reviewer.page.locator("#photo-outline line").count(), 3);
  await checkPage(reviewer.page, "processing-01-review");
  await reviewer.page.getByLabel("材料 1").selectOption({ label: "其他材料" });
  await reviewer.page.getByLabel("原因 1").fill("请补充比利时居留卡正反面");
  await reviewer.page.getByRole("button", { name: "要求补充材料" }).click();
  await reviewer.page.getByText("待补充材料").first().waitFor();
  await checkPage(reviewer.page, "processing-02-supplement-asked");

  const phonePage = await applicantContext.newPage();
  await phonePage.goto("/orders");
  await phonePage.getByText("有新消息").waitFor();
  await checkPage(phonePage, "processing-03-applicant-badge");
  // The notice is also kept in 我的消息: the header counts it, the inbox shows it.
  await phonePage.locator("#inbox-unread").waitFor();
  assert.equal((await phonePage.locator("#inbox-unread").textContent()).trim(), "1");
  await phonePage.getByRole("link", { name: /我的消息/ }).click();
  await phonePage.locator("#messages li.unread").first().waitFor();
  assert.match(await phonePage.locator("#messages").innerText(), new RegExp(order.number));
  await checkPage(phonePage, "processing-03a-inbox");
  await phonePage.goto("/orders");
  assert.match(await phonePage.getByRole("link", { name: order.number }).getAttribute("href"), /^\/orders\//, "the order number opens the order");
  await phonePage.getByRole("link", { name: "护照换发" }).click();
  await phonePage.getByText("请补充比利时居留卡正反面").first().waitFor();
  await phonePage.getByRole("heading", { name: "在线上传" }).waitFor();
  await phonePage.getByRole("heading", { name: "邮件上传" }).waitFor();
  // Sent with nothing new: the message stands beside the item, on the order page.
  await phonePage.getByRole("button", { name: "提交补充材料" }).click();
  await phonePage.locator("#supplement-error-other").waitFor();
  assert.match(phonePage.url(), /\/orders\/[^/]+\/supplement$/);
  await checkPage(phonePage, "processing-03b-supplement-missing");
  // 增加、删减或修改: a file added by mistake is removed, the right one added.
  await phonePage.locator("#upload-other").setInputFiles(PDF);
  await phonePage.locator("#supplement-files .uploaded").first().waitFor();
  await phonePage.getByRole("button", { name: "删除" }).click();
  await phonePage.getByRole("heading", { name: "在线上传" }).waitFor();
  assert.equal(await phonePage.locator("#supplement-files .uploaded").count(), 0, "the file added by mistake is gone");
  await phonePage.locator("#upload-other").setInputFiles(PDF);
  await phonePage.locator("#supplement-files .uploaded").first().waitFor();
  await checkPage(phonePage, "processing-04-applicant-supplement");
  await phonePage.getByRole("button", { name: "提交补充材料" }).click();
  await phonePage.getByText("审核中").first().waitFor();

  await reviewer.page.reload();
  await reviewer.page.getByRole("button", { name: "受理（待制证）" }).click();
  await reviewer.page.getByText("待制证").first().waitFor();

  const issuer = await staffConsole(stack, createStaff(stack, "issuer.be", "issuer"));
  await issuer.page.goto(`/staff/orders/${order.id}`);
  await issuer.page.getByRole("button", { name: "制证完成，待取证" }).click();
  await issuer.page.locator("#order-state", { hasText: "待取证" }).waitFor();
  await issuer.page.getByRole("button", { name: "交付证件" }).click();
  await issuer.page.getByText("须先缴费才能取证").waitFor();
  await checkPage(issuer.page, "processing-05-hand-over-refused-unpaid");

  const cashier = await staffConsole(stack, createStaff(stack, "cashier.be", "cashier"));
  await cashier.page.goto(`/staff/orders/${order.id}`);
  await cashier.page.getByLabel("收费方式").selectOption({ label: "银行卡" });
  await cashier.page.getByLabel("凭证号").fill("POS 0042");
  await cashier.page.getByRole("button", { name: "登记收费" }).click();
  await cashier.page.getByText("已收费").first().waitFor();

  await issuer.page.goto(`/staff/orders/${order.id}`);
  await issuer.page.getByRole("button", { name: "交付证件" }).click();
  await issuer.page.locator("#order-state", { hasText: "已完成" }).waitFor();
  await checkPage(issuer.page, "processing-06-completed");

  await issuer.page.goto("/staff/dashboard");
  await issuer.page.getByText("请补充比利时居留卡正反面 — 1").waitFor();
  // 30 days drawn as bars (received and completed each day); the numbers stay in a table.
  assert.equal(await issuer.page.locator("#per-day-chart svg rect.received").count(), 31, "30 days and the legend");
  assert.equal(await issuer.page.locator("#per-day-table tbody tr").count(), 30);
  await checkPage(issuer.page, "processing-08-dashboard");

  const admin = await staffConsole(stack, createStaff(stack, "admin.be", "mission_admin"));
  await admin.page.getByRole("link", { name: "工作人员" }).click();
  await admin.page.getByLabel("用户名").fill("new.cashier");
  await admin.page.getByLabel("真实姓名").fill("王收费");
  await admin.page.getByLabel("收费", { exact: true }).check();
  await admin.page.getByRole("button", { name: "添加工作人员" }).click();
  await admin.page.locator("#member-created").waitFor();
  await checkPage(admin.page, "processing-09-staff-members");
  await admin.context.close();

  await phonePage.goto(`/orders/${order.id}`);
  assert.equal(await phonePage.locator("#order-state").textContent(), "已完成");
  await checkPage(phonePage, "processing-07-applicant-completed");
  for (const session of [reviewer, issuer, cashier]) await session.context.close();
  await applicantContext.close();
});

test("an urgent case is registered at the counter for someone without an account", async () => {
  const officer = await staffConsole(stack, createStaff(stack, "counter.be", "reviewer"));
  const page = officer.page;
  await page.getByRole("link", { name: "窗口登记（紧急情况）" }).click();
  await page.getByLabel("应急旅行证").check();
  const fields = {
    "姓（中文）": "王", "名（中文）": "五", "姓（拼音）": "WANG", "名（拼音）": "WU", "出生日期": "1985-02-03",
    "出生地": "上海", "现居住地址（国外）": "Rue Neuve 1, 1000 Bruxelles", "联系电话": "+32 470 00 00 00",
    "职业": "教师", "紧急联系人": "王六", "紧急联系人电话": "+32 470 00 00 01",
  };
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByLabel("男", { exact: true }).check();
  await checkPage(page, "walk-in-01-form");
  await page.getByRole("button", { name: "登记并进入审核" }).click();
  await page.locator("#order-state", { hasText: "审核中" }).waitFor();
  await page.getByLabel("证件照片").setInputFiles(fixturePath("astronaut.png"));
  await page.locator("#photo-report").waitFor();
  await checkPage(page, "walk-in-02-order");
  await page.getByRole("button", { name: "受理（待制证）" }).click();
  await page.locator("#order-state", { hasText: "待制证" }).waitFor();
  await officer.context.close();
});

test("an offline payer with postal pick-up pays the mailed payment notice with Alipay (demo)", async () => {
  assert.match(stack.platform.output(), /Alipay is a simulator/);
  const applicantContext = await phone(stack.browser, stack.platform.base);
  const { token } = await verifiedApplicant(stack, applicantContext, "post.payer@example.org", "E12345679");
  const order = await submittedRenewal(stack, token, "by_post");
  const admin = await staffConsole(stack, createStaff(stack, "notice.admin.be", "mission_admin"));
  await admin.page.goto(`/staff/orders/${order.id}`);
  await admin.page.getByRole("button", { name: "受理（待制证）" }).click();
  await admin.page.getByText("待制证").first().waitFor();
  await admin.page.getByRole("button", { name: "制证完成，待取证" }).click();
  await admin.page.locator("#order-state", { hasText: "待取证" }).waitFor();

  // FAQ 6: the payment notice, "使用微信或支付宝扫描支付二维码付款", a QR code for each.
  const notice = await stack.mail.mailFor("post.payer@example.org", /缴费通知/);
  assert.match(notice.text, /微信支付或支付宝扫描支付二维码付款/);
  assert.deepEqual(notice.images, ["image/png", "image/png"], "a QR code for WeChat Pay and one for Alipay");
  const link = /(http:\/\/\S+\/orders\/[0-9a-f-]+\/pay)/.exec(notice.text)[1];

  const page = await applicantContext.newPage();
  await page.goto(`${link}?provider=alipay`);
  await page.locator("#payment-simulated").waitFor();
  assert.match(await page.locator("#payment-amount").textContent(), /16\.00 EUR/);
  await checkPage(page, "notice-01-alipay-pay");
  await page.locator("#simulated-scan").click();
  await page.getByText("模拟支付宝 · simulated 支付宝: no money moves").waitFor();
  await page.getByRole("button", { name: "确认支付 · Pay" }).click();
  await page.getByText("支付成功 · Paid").waitFor();
  await page.getByRole("link", { name: /返回商户页面/ }).click();
  await page.waitForURL(/\/orders\/[0-9a-f-]+$/);
  for (let i = 0; i < 50 && (await page.locator("#online-payments .online-paid").count()) === 0; i++) {
    await page.waitForTimeout(200);
    await page.reload();
  }
  assert.match(await page.locator("#online-payments").textContent(), /支付宝[\s\S]*16\.00 EUR/);
  await checkPage(page, "notice-02-paid");

  await admin.page.goto("/staff/dashboard");
  await admin.page.locator("#payment-checks").waitFor();
  await admin.context.close();
  await applicantContext.close();
});
