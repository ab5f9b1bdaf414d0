// A citizen who forgot their password resets it with a code sent by e-mail, and the old
// password stops working.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useStack, phone, checkPage } from "../harness.js";

const stack = useStack({ before, after });

async function register(page, address, password) {
  await page.goto("/register");
  await page.getByLabel("手机号或电子邮箱").fill(address);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "发送验证码" }).click();
  await page.getByLabel("6 位验证码").fill(await stack.mail.codeFor(address));
  await page.getByRole("button", { name: "完成注册" }).click();
  await page.waitForURL("**/account");
  await page.getByRole("button", { name: "退出登录" }).click();
}

test("a forgotten password is reset with a mailed code", async () => {
  const context = await phone(stack.browser, stack.platform.base);
  const page = await context.newPage();
  await register(page, "wang.wu@example.com", "first password");
  const registrationMails = stack.mail.inbox.length;

  await page.goto("/login");
  await page.getByRole("link", { name: "忘记密码" }).click();
  await checkPage(page, "30-password-forgot");
  await page.getByLabel("手机号或电子邮箱").fill("wang.wu@example.com");
  await page.getByRole("button", { name: "发送验证码" }).click();
  await page.getByLabel("6 位验证码").waitFor();
  await checkPage(page, "31-password-reset");
  while (stack.mail.inbox.length === registrationMails) await new Promise((r) => setTimeout(r, 100));
  const code = /\b(\d{6})\b/.exec(stack.mail.inbox.at(-1).text)[1];

  await page.getByLabel("6 位验证码").fill("000000" === code ? "111111" : "000000");
  await page.getByLabel("新密码").fill("second password");
  await page.getByRole("button", { name: "保存新密码" }).click();
  await page.getByText("验证码不正确").waitFor();
  await checkPage(page, "32-password-reset-wrong-code");

  await page.getByLabel("6 位验证码").fill(code);
  await page.getByLabel("新密码").fill("second password");
  await page.getByRole("button", { name: "保存新密码" }).click();
  await page.getByText("密码已更新，请重新登录。").waitFor();

  await page.getByLabel("手机号或电子邮箱").fill("wang.wu@example.com");
  await page.getByLabel("密码").fill("first password");
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByText("账号或密码不正确").waitFor();
  await page.getByLabel("密码").fill("second password");
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL("**/account");

  await page.goto("/no-such-page");
  assert.equal(await page.locator("h1").innerText(), "404");
  await checkPage(page, "33-not-found");
  await context.close();
});
