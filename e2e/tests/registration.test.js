// A citizen registers by e-mail (the code read from a real SMTP exchange), logs in and
// completes real-name verification with the phone's camera, on a 360-px screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useStack, phone, checkPage, fixturePath } from "../harness.js";

const stack = useStack({ before, after });

test("a citizen registers by e-mail, logs in again and verifies their identity", async () => {
  const context = await phone(stack.browser, stack.platform.base);
  const page = await context.newPage();
  await page.goto("/");
  await checkPage(page, "01-home");
  // Step 2 图 1、2: "立即登录", then "注册新账号" on the login screen.
  await page.getByRole("link", { name: "注册新账号" }).waitFor();
  await page.getByRole("link", { name: "立即登录" }).click();
  await page.waitForURL("**/login");
  await page.getByRole("link", { name: "注册新账号" }).click();
  await checkPage(page, "02-register");

  await page.getByLabel("手机号或电子邮箱").fill("+32 470 12 34 56");
  await page.getByLabel("密码").fill("correct horse battery");
  await page.getByRole("button", { name: "发送验证码" }).click();
  await assert.doesNotReject(page.getByText("目前暂不能用境外手机号注册").first().waitFor());
  await checkPage(page, "03-register-foreign-number-refused");

  await page.getByLabel("手机号或电子邮箱").fill("zhang.san@example.com");
  await page.getByLabel("密码").fill("correct horse battery");
  await page.getByRole("button", { name: "发送验证码" }).click();
  await page.getByLabel("6 位验证码").waitFor();
  await checkPage(page, "04-enter-code");
  const code = await stack.mail.codeFor("zhang.san@example.com");
  await page.getByLabel("6 位验证码").fill(code);
  await page.getByRole("button", { name: "完成注册" }).click();
  await page.waitForURL("**/account");
  assert.equal(await page.locator("#identity-state").getAttribute("data-state"), "unverified");
  await checkPage(page, "05-account-unverified");

  await page.getByRole("button", { name: "退出登录" }).click();
  await page.goto("/login");
  await page.getByLabel("手机号或电子邮箱").fill("zhang.san@example.com");
  await page.getByLabel("密码").fill("wrong password");
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByText("账号或密码不正确").waitFor();
  await checkPage(page, "06-login-refused");
  await page.getByLabel("密码").fill("correct horse battery");
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL("**/account");

  await page.getByRole("link", { name: "立即实名认证" }).click();
  await page.getByLabel("真实姓名").fill("张三");
  await page.getByLabel("居民身份证").check();
  await page.getByLabel("证件号码").fill("110105194912310021");
  await page.getByRole("button", { name: "完成，进入人脸识别" }).click();
  await page.getByText("身份证号码校验位不正确").waitFor();
  await checkPage(page, "07-verify-wrong-check-digit");
  await page.getByLabel("证件号码").fill("11010519491231002X");
  await page.getByRole("button", { name: "完成，进入人脸识别" }).click();
  await page.waitForURL("**/verify/face");
  await page.waitForFunction(() => document.getElementById("preview").videoWidth > 0);
  await checkPage(page, "08-face-camera");
  // The fake camera films a test pattern, not a person: the detector says so, and the
  // applicant retries with a photo of a face.
  await page.getByRole("button", { name: "人脸识别", exact: true }).click();
  await page.getByText("照片中未检测到人脸").waitFor();
  await page.getByRole("button", { name: "重试", exact: true }).waitFor();
  await checkPage(page, "08b-face-none-found");
  await page.getByLabel("或上传现拍照片").setInputFiles(fixturePath("astronaut.png"));
  await page.waitForURL("**/account");
  assert.equal(await page.locator("#identity-state").getAttribute("data-state"), "verified");
  await checkPage(page, "09-account-verified");
  await context.close();
});

test("a citizen who cannot pass the face step skips it and is flagged, in English", async () => {
  const context = await phone(stack.browser, stack.platform.base, "en-GB");
  const page = await context.newPage();
  await page.goto("/register");
  await page.getByLabel("Mobile number or e-mail").fill("li.si@example.com");
  await page.getByLabel("Password").fill("another good password");
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByLabel("6-digit code").fill(await stack.mail.codeFor("li.si@example.com"));
  await page.getByRole("button", { name: "Finish registering" }).click();
  await page.waitForURL("**/account");
  await page.getByRole("link", { name: "Verify my identity" }).click();
  await page.getByLabel("Real name").fill("李四");
  await page.getByLabel("Ordinary passport").check();
  await page.getByLabel("Document number").fill("PE1234567");
  await page.getByRole("button", { name: "Continue to face verification" }).click();
  await page.getByText("Official passports cannot be handled online").waitFor();
  await checkPage(page, "10-en-official-passport-refused");
  await page.getByLabel("Document number").fill("E12345678");
  await page.getByRole("button", { name: "Continue to face verification" }).click();
  await page.waitForURL("**/verify/face");
  await page.getByRole("button", { name: "Skip" }).click();
  await page.waitForURL("**/account");
  assert.equal(await page.locator("#identity-state").getAttribute("data-state"), "face_skipped");
  await checkPage(page, "11-en-account-face-skipped");
  await context.close();
});

test("the missions directory shows the Embassy in Belgium as the guide gives it", async () => {
  const context = await phone(stack.browser, stack.platform.base);
  const page = await context.newPage();
  await page.goto("/missions");
  await checkPage(page, "12-missions");
  await page.getByRole("link", { name: "中国驻比利时大使馆" }).click();
  await page.getByText("439 Avenue de Tervuren, 1150 Woluwe-Saint-Pierre, Bruxelles").waitFor();
  await page.getByText("使馆正门北侧约 15 米").waitFor();
  assert.equal(await page.locator("dt:has-text('领区') + dd").textContent(), "比利时", "the district by name, not BE");
  assert.equal(await page.getByRole("link", { name: "+32 2 663 30 01" }).getAttribute("href"), "tel:+3226633001");
  await checkPage(page, "13-mission-belgium");
  await context.close();
});
