// The four passport and travel-document cases and the emergency travel document, on a
// phone, following the guide's screens in order (Step 4 一、二; Step 5), plus a draft left on
// one device and resumed on another.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useStack, phone, checkPage, fixturePath, phoneSnapshotPath, verifiedApplicant } from "../harness.js";

const stack = useStack({ before, after });
const scratch = mkdtempSync(join(tmpdir(), "lingshi-materials-"));
/** A small, whole PDF standing in for a scanned page. */
const PDF = join(scratch, "scan.pdf");
writeFileSync(PDF, "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const PHOTO = fixturePath("astronaut.png");

/** 图 3: "请选择办理的使领馆": 欧洲 → 比利时 → 中国驻比利时大使馆, then where the applicant
 * lives (and, for the emergency document, where they are now). */
async function chooseMission(page, { residence = "比利时", present } = {}) {
  const belgium = page.locator("summary", { hasText: "比利时" });
  if (!(await page.getByLabel("中国驻比利时大使馆").isVisible())) await belgium.click();
  await page.getByLabel("中国驻比利时大使馆").check();
  if (present) await page.getByLabel("您现在所在的国家").selectOption({ label: present });
  await page.getByLabel("您现在居住的国家").selectOption({ label: residence });
}

/** 图 1–3 and the case's 图 1–2: statement, mission, routing, type. */
async function start(page, shots, { service = "护照旅行证", held, lost, under16, type, residence, present }) {
  await page.goto("/");
  await page.getByRole("link", { name: service }).first().click();
  await checkPage(page, `${shots}-01-statement`);
  await page.getByRole("button", { name: "立即申请" }).click();
  await page.getByText("请先勾选").waitFor();
  await page.getByLabel("本人已阅读并同意以上声明").check();
  await page.getByRole("button", { name: "立即申请" }).click();
  await chooseMission(page, { residence, present });
  await checkPage(page, `${shots}-02-mission`);
  await page.getByRole("button", { name: "下一步" }).click();
  if (held) {
    await page.getByLabel(held, { exact: true }).check();
    if (lost !== undefined) await page.locator(`input[name=lost][value=${lost ? "yes" : "no"}]`).check();
    if (under16 !== undefined) await page.getByLabel(under16 ? "未满16" : "已满16周岁").check();
    await checkPage(page, `${shots}-03-route`);
    await page.getByRole("button", { name: "下一步" }).click();
    await page.getByLabel(type, { exact: true }).check();
    await checkPage(page, `${shots}-04-type`);
    await page.getByRole("button", { name: "确定" }).click();
  }
  await page.waitForURL("**/steps/details");
}

const ADULT = {
  "姓（中文）": "张", "名（中文）": "三", "姓（拼音）": "ZHANG", "名（拼音）": "SAN",
  "出生日期": "1990-05-01", "出生地": "北京", "现居住地址（国外）": "Avenue Louise 1, 1050 Bruxelles",
  "联系电话": "+32 470 12 34 56", "职业": "工程师", "紧急联系人": "李四", "紧急联系人电话": "+32 2 663 30 01",
};

/** 图 3: personal details (and parents' for minors). */
async function details(page, shots, fields) {
  await page.getByLabel("男", { exact: true }).check();
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
  await checkPage(page, `${shots}-05-details`);
  await page.getByRole("button", { name: "下一步" }).click();
}

/** 图 6: the photo, with the advisory check shown; the applicant goes on anyway (FAQ 5),
 * after cropping it as the check suggests if `crop`. */
async function photo(page, shots, { crop = false } = {}) {
  await page.waitForURL("**/steps/photo");
  await page.getByLabel("上传照片").setInputFiles(crop ? await phoneSnapshotPath(page.context().browser()) : PHOTO);
  await page.locator("#photo-verdict").waitFor();
  assert.match(await page.locator("#photo-verdict").textContent(), /您仍可继续/);
  await checkPage(page, `${shots}-07-photo`);
  if (crop) {
    const loose = await page.locator("img.photo").getAttribute("src");
    assert.match(await page.locator("ul.rules").innerText(), /照片比例应为 33 × 48 毫米/);
    assert.match(await page.locator('ul.rules li[data-rule="top_margin"]').innerText(), /测量值 [\d.]+ 毫米/, "the measure beside the rule");
    // The crop is previewed before it replaces the photo.
    await page.waitForFunction(() => {
      const canvas = document.getElementById("photo-crop-preview");
      return canvas.width === +canvas.dataset.width && canvas.height === +canvas.dataset.height;
    });
    await page.getByRole("button", { name: "按建议裁剪照片" }).click();
    await page.waitForFunction((src) => document.querySelector("img.photo")?.getAttribute("src") !== src, loose);
    assert.doesNotMatch(await page.locator("ul.rules").innerText(), /照片比例应为/, "the crop is 33:48");
    await checkPage(page, `${shots}-07b-photo-cropped`);
  }
  await page.getByRole("button", { name: "下一步" }).click();
}

/** 图 7、8: the declaration signed by hand on the canvas. */
async function declaration(page, shots, signer) {
  await page.waitForURL("**/steps/declaration");
  await page.getByRole("button", { name: "手写签名", exact: true }).click();
  const pad = await page.locator("#signature-pad").boundingBox();
  await page.mouse.move(pad.x + 20, pad.y + pad.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(pad.x + 20 + i * 20, pad.y + pad.height / 2 + (i % 2 ? 15 : -15));
  await page.mouse.up();
  await page.getByRole("button", { name: "完成", exact: true }).click();
  await page.locator("#signature-saved").waitFor();
  assert.equal(await page.getByRole("button", { name: "完成", exact: true }).count(), 0, "one 完成: the pad's, closed once saved");
  await page.getByRole("button", { name: "重新签名" }).waitFor();
  if (signer) await page.getByLabel(signer).check();
  await checkPage(page, `${shots}-08-declaration`);
  await page.getByRole("button", { name: "下一步" }).click();
}

/** 图 9、10: each material uploaded under its number and name. */
async function materials(page, shots, items) {
  await page.waitForURL("**/steps/materials");
  for (const item of items) {
    await page.locator(`#upload-${item}`).setInputFiles(item === "loss_statement" ? PHOTO : PDF);
    await page.locator(`#material-${item} li`).first().waitFor();
  }
  await checkPage(page, `${shots}-09-materials`);
  await page.getByRole("button", { name: "提交" }).click();
}

/** 图 11, 14, 15, 16, 17: delivery, review, face, payment (线下支付, or 微信支付 through the
 * demo's simulated WeChat Pay), submitted. */
async function finish(page, shots, { face = "upload", pay = "offline" } = {}) {
  await page.waitForURL("**/steps/delivery");
  await page.getByLabel("邮寄递交材料").check();
  await page.getByLabel("到馆取证").check();
  await checkPage(page, `${shots}-10-delivery`);
  await page.getByRole("button", { name: "下一步" }).click();
  await review(page, shots);
  await faceStep(page, shots, face);
  await page.waitForURL("**/steps/payment");
  assert.equal(await page.getByLabel("微信支付").isDisabled(), false, "WeChat Pay is offered");
  await page.getByText("演示模式为模拟支付").waitFor();
  if (pay === "wechat") await page.getByLabel("微信支付").check();
  await checkPage(page, `${shots}-13-payment`);
  await page.getByRole("button", { name: "提交订单" }).click();
  if (pay === "wechat") {
    await payWithSimulatedWechat(page, shots);
  } else {
    await page.locator("#submitted").waitFor();
  }
  assert.equal(await page.locator("#order-state").textContent(), "审核中");
  const number = (await page.locator("#order-number").textContent()).trim();
  assert.match(number, /^BE\d{6}[2-9A-HJ-NP-Z]{6}$/);
  await checkPage(page, `${shots}-14-submitted`);
  return number;
}

/** 微信支付 in the demo: the payment page (QR code, the yuan estimate, the simulation
 * label), the simulator's payer page, and back to the order, paid. */
async function payWithSimulatedWechat(page, shots) {
  await page.waitForURL(/\/orders\/[0-9a-f-]+\/pay$/);
  await page.locator("#payment-simulated").waitFor();
  await page.locator("#payment-qr").waitFor();
  assert.match(await page.locator("#payment-amount").textContent(), /16\.00 EUR/);
  assert.match(await page.locator("#payment-estimate").textContent(), /约 ¥123\.20/);
  await checkPage(page, `${shots}-13b-wechat-pay`);
  await page.locator("#simulated-scan").click();
  await page.getByRole("button", { name: "确认支付 · Pay" }).click();
  await page.getByText("支付成功 · Paid").waitFor();
  await page.getByRole("link", { name: /返回商户页面/ }).click();
  await page.waitForURL(/\/orders\/[0-9a-f-]+$/);
  for (let i = 0; i < 50 && (await page.locator("#order-state").textContent()) !== "审核中"; i++) {
    await page.waitForTimeout(200);
    await page.reload();
  }
  await page.locator("#online-payments .online-paid").waitFor();
  await checkPage(page, `${shots}-13c-paid`);
}

async function review(page, shots) {
  await page.waitForURL("**/steps/review");
  assert.match(await page.locator("#review").textContent(), /张三 \(ZHANG SAN\)|ZHANG/);
  await checkPage(page, `${shots}-11-review`);
  await page.getByRole("button", { name: "确认无误" }).click();
}

async function faceStep(page, shots, face) {
  await page.waitForURL("**/steps/face");
  await checkPage(page, `${shots}-12-face`);
  if (face === "skip") {
    await page.getByRole("button", { name: "跳过", exact: true }).click();
  } else {
    await page.getByLabel("或上传现拍照片").setInputFiles(PHOTO);
  }
}

test("3.1 renewal of an ordinary passport, every screen of the guide", async () => {
  const context = await phone(stack.browser, stack.platform.base);
  await verifiedApplicant(stack, context, "renewal@example.org", "E12345678");
  const page = await context.newPage();
  await start(page, "renewal", { held: "普通护照", lost: false, type: "护照换发" });
  await details(page, "renewal", { ...ADULT, "现持（或遗失）证件号码": "E12345678", "联系电话": "call me" });
  await page.getByText("请输入正确的电话号码").waitFor();
  await checkPage(page, "renewal-05b-details-refused");
  await page.getByLabel("联系电话").fill("+32 470 12 34 56");
  await page.getByRole("button", { name: "下一步" }).click();
  await page.waitForURL("**/steps/annotations");
  await page.getByLabel("不需要加注").check();
  await checkPage(page, "renewal-06-annotations");
  await page.getByRole("button", { name: "下一步" }).click();
  await photo(page, "renewal", { crop: true });
  await declaration(page, "renewal");
  await materials(page, "renewal", ["current_document_page"]);
  await finish(page, "renewal");
  await page.getByRole("button", { name: "申请预约采集指纹" }).click();
  await page.getByText("已申请预约到馆采集指纹").first().waitFor();
  await page.getByRole("link", { name: "我的订单" }).first().click();
  await page.getByText("护照换发").waitFor();
  await checkPage(page, "renewal-15-my-orders");
  await context.close();
});

test("3.1b a renewal paid with WeChat Pay (the demo's simulated scan) goes to review, paid", async () => {
  assert.match(stack.platform.output(), /WeChat Pay is a simulator/);
  const context = await phone(stack.browser, stack.platform.base);
  await verifiedApplicant(stack, context, "wechat.payer@example.org", "E23456789");
  const page = await context.newPage();
  await start(page, "wechat", { held: "普通护照", lost: false, type: "护照换发" });
  await details(page, "wechat", { ...ADULT, "现持（或遗失）证件号码": "E23456789" });
  await page.waitForURL("**/steps/annotations");
  await page.getByLabel("不需要加注").check();
  await page.getByRole("button", { name: "下一步" }).click();
  await photo(page, "wechat");
  await declaration(page, "wechat");
  await materials(page, "wechat", ["current_document_page"]);
  await finish(page, "wechat", { pay: "wechat" });
  assert.match(await page.locator("#online-payments").textContent(), /微信支付[\s\S]*16\.00 EUR[\s\S]*实付 123\.20 CNY/);
  await context.close();
});

test("3.2 replacement of a lost passport needs the account of the loss", async () => {
  const context = await phone(stack.browser, stack.platform.base);
  await verifiedApplicant(stack, context, "lost@example.org", "E22345678");
  const page = await context.newPage();
  await start(page, "replacement", { held: "普通护照", lost: true, type: "护照补发" });
  await details(page, "replacement", ADULT);
  await page.getByLabel("不需要加注").check();
  await page.getByRole("button", { name: "下一步" }).click();
  await photo(page, "replacement");
  await declaration(page, "replacement");
  await page.waitForURL("**/steps/materials");
  await page.getByText("3、证件遗失原因及经过说明").waitFor();
  await page.getByRole("button", { name: "提交" }).click();
  await page.getByText("证件遗失原因及经过说明：请上传此项材料").waitFor();
  await checkPage(page, "replacement-09a-material-missing");
  await materials(page, "replacement", ["loss_statement"]);
  await finish(page, "replacement", { face: "skip" });
  await context.close();
});

test("3.3 a holder of a home-return permit applies for a travel document", async () => {
  const context = await phone(stack.browser, stack.platform.base);
  await verifiedApplicant(stack, context, "permit@example.org", "E32345678");
  const page = await context.newPage();
  await start(page, "travel-doc", { held: "港澳台及其他旅行证件", lost: false, type: "旅行证颁发" });
  await page.getByLabel("姓（中文）", { exact: true }).fill("曾");
  await page.getByLabel("名（中文）", { exact: true }).fill("小明");
  await page.getByLabel("出生地", { exact: true }).focus();
  await page.getByText("ZENG XIAOMING").waitFor();
  await page.getByRole("button", { name: "使用建议拼写" }).click();
  assert.equal(await page.getByLabel("姓（拼音）", { exact: true }).inputValue(), "ZENG", "曾 read as a surname");
  await checkPage(page, "travel-doc-05a-pinyin-suggested");
  await details(page, "travel-doc", { ...ADULT, "现持（或遗失）证件号码": "H12345678" });
  await page.getByLabel("不需要加注").check();
  await page.getByRole("button", { name: "下一步" }).click();
  await photo(page, "travel-doc");
  await declaration(page, "travel-doc");
  await materials(page, "travel-doc", ["held_travel_document"]);
  await finish(page, "travel-doc", { face: "skip" });
  await context.close();
});

test("3.4 a minor's first passport: parents' details, a parent signs, four materials", async () => {
  const context = await phone(stack.browser, stack.platform.base);
  await verifiedApplicant(stack, context, "parent@example.org", "E42345678");
  const page = await context.newPage();
  await start(page, "minor", { held: "无以上证件", under16: true, type: "办理护照（未成年人首次申请）" });
  await details(page, "minor", { ...ADULT, "出生日期": "2019-03-02", "父亲姓名": "张大", "父亲证件号码": "E11111111", "母亲姓名": "王芳", "母亲证件号码": "E22222222" });
  await page.waitForURL("**/steps/annotations");
  await page.getByLabel("不需要加注").check();
  await page.getByRole("button", { name: "下一步" }).click();
  await photo(page, "minor");
  await declaration(page, "minor", "父亲或母亲代签");
  await materials(page, "minor", ["birth_certificate", "parents_passports", "parents_residence_permits", "parental_consent"]);
  await finish(page, "minor");
  await context.close();
});

test("an official passport is not handled online: the mission's contacts are given (FAQ 2)", async () => {
  const context = await phone(stack.browser, stack.platform.base);
  await verifiedApplicant(stack, context, "official@example.org", "E72345678");
  const page = await context.newPage();
  await page.goto("/apply/passport");
  await page.getByLabel("本人已阅读并同意以上声明").check();
  await page.getByRole("button", { name: "立即申请" }).click();
  await chooseMission(page);
  await page.getByRole("button", { name: "下一步" }).click();
  await page.getByLabel("因公护照", { exact: true }).check();
  await page.locator("input[name=lost][value=no]").check();
  await page.getByRole("button", { name: "下一步" }).click();
  await page.getByText("因公护照业务无法在线办理").waitFor();
  assert.equal(await page.getByRole("link", { name: "+32 2 663 30 01" }).getAttribute("href"), "tel:+3226633001");
  await checkPage(page, "official-passport-contacts");
  await context.close();
});

test("a visitor who lost a passport in Belgium gets an emergency document, confirmed irreversible", async () => {
  const context = await phone(stack.browser, stack.platform.base);
  await verifiedApplicant(stack, context, "urgent@example.org", "E52345678");
  const page = await context.newPage();
  // Step 4 二: "短期来比利时期间丢失护照人员" — living in China, in Belgium now.
  await start(page, "emergency", { service: "应急旅行证", residence: "中国", present: "比利时" });
  await details(page, "emergency", ADULT);
  await photo(page, "emergency");
  await review(page, "emergency");
  await faceStep(page, "emergency", "skip");
  await page.waitForURL("**/steps/pickup");
  await page.getByLabel("他人代取").check();
  await page.getByLabel("代取人姓名").fill("李四");
  await page.getByLabel("证件号码").fill("11010519491231002X");
  await page.getByRole("button", { name: "下一步" }).click();
  await page.locator("#proxy_document_kind-error").waitFor();
  assert.equal(await page.locator("#proxy_document_number-error").count(), 0, "the error stands under 证件类型, not 证件号码");
  await page.getByLabel("居民身份证").check();
  await checkPage(page, "emergency-12b-pickup");
  await page.getByRole("button", { name: "下一步" }).click();
  await page.waitForURL("**/steps/payment");
  await page.getByRole("button", { name: "提交订单" }).click();
  await page.locator("#irreversible_acknowledged-error, p.error").first().waitFor();
  await checkPage(page, "emergency-13a-not-confirmed");
  await page.getByLabel(/我已知晓/).check();
  await page.getByRole("button", { name: "提交订单" }).click();
  await page.locator("#submitted").waitFor();
  assert.equal(await page.getByRole("button", { name: "撤回申请" }).count(), 0, "no withdrawal for an emergency document");
  await page.getByText("一经提交无法撤回").first().waitFor();
  await checkPage(page, "emergency-14-submitted");
  await context.close();
});

test("a draft left on one phone is resumed on another where it stopped", async () => {
  const first = await phone(stack.browser, stack.platform.base);
  const { token } = await verifiedApplicant(stack, first, "resume@example.org", "E62345678");
  const page = await first.newPage();
  await start(page, "resume", { held: "旅行证", lost: false, type: "旅行证换发" });
  await details(page, "resume", { ...ADULT, "现持（或遗失）证件号码": "T12345678" });
  await page.waitForURL("**/steps/annotations");
  await first.close();

  const second = await phone(stack.browser, stack.platform.base, "en-GB");
  await second.addCookies([{ name: "ls_session", value: token, url: stack.platform.base }]);
  const other = await second.newPage();
  await other.goto("/orders");
  await checkPage(other, "resume-01-my-orders");
  await other.getByRole("link", { name: "Continue" }).click();
  await other.waitForURL("**/steps/annotations");
  await other.getByRole("link", { name: "Previous step" }).click();
  assert.equal(await other.getByLabel("Surname (pinyin)").inputValue(), "ZHANG", "the saved details come back");
  await checkPage(other, "resume-02-details-kept");
  await second.close();
});
