// An officer signs in with the demo account the platform printed at start and finds the
// SMS registration code in the development outbox, on a phone-sized screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useStack, phone, checkPage } from "../harness.js";

const stack = useStack({ before, after });

test("staff sign in with the printed demo account and see the development SMS outbox", async () => {
  const password = /password: (\S+)/.exec(stack.platform.output())?.[1];
  assert.ok(password, "the demo password is printed at first start");

  const citizen = await phone(stack.browser, stack.platform.base);
  const page = await citizen.newPage();
  await page.goto("/register");
  await page.getByLabel("手机号或电子邮箱").fill("138 0013 8000");
  await page.getByLabel("密码").fill("correct horse battery");
  await page.getByRole("button", { name: "发送验证码" }).click();
  await page.getByLabel("6 位验证码").waitFor();

  const officer = await phone(stack.browser, stack.platform.base);
  const console = await officer.newPage();
  await console.goto("/staff");
  await console.waitForURL("**/staff/login");
  await checkPage(console, "20-staff-login");
  await console.getByLabel("用户名").fill("demo.admin");
  await console.getByLabel("密码").fill(password);
  await console.getByRole("button", { name: "登录" }).click();
  await console.waitForURL("**/staff");
  let body = "";
  for (let i = 0; i < 50 && !body.includes("138****8000"); i++) {
    await console.reload();
    body = await console.locator("main").innerText();
  }
  assert.match(body, /138\*\*\*\*8000/);
  const code = /\b(\d{6})\b/.exec(body)?.[1];
  assert.ok(code, "the outbox shows the code");
  await checkPage(console, "21-staff-dev-outbox");

  await page.getByLabel("6 位验证码").fill(code);
  await page.getByRole("button", { name: "完成注册" }).click();
  await page.waitForURL("**/account");
  await citizen.close();
  await officer.close();
});
