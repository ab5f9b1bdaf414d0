// Three nodes on one PostgreSQL (queue pages read on its hot standby) and one S3 bucket behind
// HAProxy (issue 16): the guide's journey through the proxy with consecutive requests on
// different nodes, one node killed (SIGKILL) in the middle of it; throttles that count across
// nodes; and a rolling restart of every node under load that loses nothing and answers no
// request with a 5xx.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startMailCatcher, startBrowser, phone, checkPage, fixturePath, createStaff, staffConsole, submittedRenewal, waitForPensionStatus, fillPensionForm } from "../harness.js";
import { startCluster } from "../cluster.js";

const stack = {};
before(async () => {
  stack.mail = await startMailCatcher();
  stack.cluster = await startCluster(stack.mail.port, 3);
  // What the harness's helpers read: the address to use and the environment of admin commands.
  stack.platform = { base: stack.cluster.base, dataDir: stack.cluster.dataDir, env: stack.cluster.env };
  stack.browser = await startBrowser();
});
after(async () => {
  await stack.browser?.close();
  await stack.cluster?.stop();
  await stack.mail?.close();
});

const api = async (method, path, token, body) => {
  const response = await fetch(`${stack.cluster.base}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
};

test("the journey completes through HAProxy on three nodes, with one node killed in the middle", async () => {
  const context = await phone(stack.browser, stack.cluster.base);
  const page = await context.newPage();
  await page.goto("/register");
  await page.getByLabel("手机号或电子邮箱").fill("cluster@example.org");
  await page.getByLabel("密码").fill("correct horse battery");
  await page.getByRole("button", { name: "发送验证码" }).click();
  await page.getByLabel("6 位验证码").fill(await stack.mail.codeFor("cluster@example.org"));
  await page.getByRole("button", { name: "完成注册" }).click();
  await page.waitForURL("**/account");
  await page.getByRole("link", { name: "立即实名认证" }).click();
  await page.getByLabel("真实姓名").fill("张三");
  await page.getByLabel("普通护照").check();
  await page.getByLabel("证件号码").fill("E12345678");
  await page.getByRole("button", { name: "完成，进入人脸识别" }).click();
  await page.waitForURL("**/verify/face");
  // The capture is stored in the S3 bucket by whichever node takes it.
  await page.getByLabel("或上传现拍照片").setInputFiles(fixturePath("astronaut.png"));
  await page.waitForURL("**/account");
  assert.equal(await page.locator("#identity-state").getAttribute("data-state"), "verified");
  const token = (await context.cookies()).find((c) => c.name === "ls_session").value;
  const order = await submittedRenewal(stack, token);

  const spread = await stack.cluster.backends();
  for (const [node, seen] of Object.entries(spread)) assert.ok(seen.requests > 0, `${node} served part of the journey`);

  // Node 2 dies without warning once the order is acknowledged; HAProxy stops sending it
  // requests, and the rest of the journey runs on the two left.
  await stack.cluster.nodes[1].kill();
  await stack.cluster.until(["node2"], "DOWN");

  const reviewer = await staffConsole(stack, createStaff(stack, "reviewer.cluster", "reviewer"));
  await reviewer.page.goto(`/staff/orders/${order.id}`);
  // The photo a node put in the bucket is read back by another.
  await reviewer.page.locator("#photo-report").waitFor();
  const photo = await reviewer.page.evaluate(async () => {
    const image = document.querySelector("img.photo");
    const response = await fetch(image.src);
    return { status: response.status, bytes: (await response.arrayBuffer()).byteLength };
  });
  assert.equal(photo.status, 200);
  assert.ok(photo.bytes > 10000, `the photo arrives whole (${photo.bytes} bytes)`);
  await reviewer.page.getByRole("button", { name: "受理（待制证）" }).click();
  await reviewer.page.getByText("待制证").first().waitFor();
  // The queue is read on the standby; the officer's own change shows in it at once.
  await reviewer.page.goto("/staff/orders?state=awaiting_production");
  await reviewer.page.getByRole("link", { name: order.number }).waitFor({ timeout: 2000 });
  const issuer = await staffConsole(stack, createStaff(stack, "issuer.cluster", "issuer"));
  await issuer.page.goto(`/staff/orders/${order.id}`);
  await issuer.page.getByRole("button", { name: "制证完成，待取证" }).click();
  await issuer.page.locator("#order-state", { hasText: "待取证" }).waitFor();
  const cashier = await staffConsole(stack, createStaff(stack, "cashier.cluster", "cashier"));
  await cashier.page.goto(`/staff/orders/${order.id}`);
  await cashier.page.getByLabel("收费方式").selectOption({ label: "银行卡" });
  await cashier.page.getByLabel("凭证号").fill("POS 0099");
  await cashier.page.getByRole("button", { name: "登记收费" }).click();
  await cashier.page.getByText("已收费").first().waitFor();
  await issuer.page.goto(`/staff/orders/${order.id}`);
  await issuer.page.getByRole("button", { name: "交付证件" }).click();
  await issuer.page.locator("#order-state", { hasText: "已完成" }).waitFor();
  await checkPage(issuer.page, "cluster-01-completed");

  await page.goto(`/orders/${order.id}`);
  assert.equal(await page.locator("#order-state").textContent(), "已完成");
  await checkPage(page, "cluster-02-applicant-completed");

  // A pension certification: pushed to the (simulated) department by one node's job runner,
  // approved by the department's signed callback, whichever node takes it.
  await page.goto("/pension");
  await fillPensionForm(page, { label: "广东省" });
  await page.getByRole("button", { name: "下一步" }).click();
  await page.waitForURL(/\/pension\/[0-9a-f-]+$/);
  await page.getByLabel("或上传现拍照片").setInputFiles(fixturePath("astronaut.png"));
  await page.locator("#pension-status").waitFor();
  await waitForPensionStatus(page, "审核通过");
  assert.equal(stack.cluster.query("SELECT count(*) FROM jobs WHERE kind = 'pension_push' AND state = 'done'"), "1", "pushed once");

  // Each notice of the order was mailed exactly once, though three runners share the jobs.
  await stack.mail.mailFor("cluster@example.org", /./);
  await new Promise((r) => setTimeout(r, 2000));
  const notices = stack.mail.inbox.filter((m) => m.to.includes("cluster@example.org") && (m.text ?? "").includes(order.number));
  assert.ok(notices.length >= 3, `the order's notices arrived (${notices.length})`);
  const seen = new Map();
  for (const mail of notices) seen.set(`${mail.subject}\n${mail.text}`, (seen.get(`${mail.subject}\n${mail.text}`) ?? 0) + 1);
  for (const [notice, times] of seen) assert.equal(times, 1, `mailed ${times} times: ${notice.split("\n")[0]}`);
  // Every job of the journey (codes, notices, the pension push) was claimed by one runner, once
  // (a poll of the department is retried by design until it decides).
  assert.equal(stack.cluster.query("SELECT count(*) FROM jobs WHERE state = 'done' AND attempts <> 1 AND kind <> 'pension_poll'"), "0");
  assert.ok(Number(stack.cluster.query("SELECT count(*) FROM jobs WHERE state = 'done'")) >= notices.length);
  for (const session of [reviewer, issuer, cashier]) await session.context.close();
  await context.close();
  await stack.cluster.restart(1);
});

test("failed sign-ins are counted across nodes", async () => {
  const address = "throttle@example.org";
  assert.equal((await api("POST", "/api/v1/registrations", undefined, { address, password: "correct horse battery" })).status, 202);
  const code = await stack.mail.codeFor(address);
  assert.equal((await api("POST", "/api/v1/registrations/confirm", undefined, { address, code })).status, 201);
  // Five wrong passwords, spread by round robin over the three nodes…
  for (let i = 0; i < 5; i++) {
    assert.equal((await api("POST", "/api/v1/sessions", undefined, { address, password: `wrong ${i}` })).status, 422);
  }
  // …and the sixth attempt is refused, on whichever node it lands, even with the right one.
  for (let i = 0; i < 3; i++) {
    const refused = await api("POST", "/api/v1/sessions", undefined, { address, password: "correct horse battery" });
    assert.equal(refused.status, 429, JSON.stringify(refused.body));
  }
});

test("a rolling restart of every node under load loses nothing and answers no 5xx", async () => {
  const address = "rolling@example.org";
  await api("POST", "/api/v1/registrations", undefined, { address, password: "correct horse battery" });
  const { body } = await api("POST", "/api/v1/registrations/confirm", undefined, { address, code: await stack.mail.codeFor(address) });
  const token = body.token;
  const identity = await api("PUT", "/api/v1/me/identity", token, { name: "张三", document_kind: "passport", document_number: "E23456789" });
  assert.equal(identity.status, 200, JSON.stringify(identity.body));
  assert.equal((await api("POST", "/api/v1/me/identity/face/skip", token)).status, 200);
  const draft = { service: "passport", statement_accepted: true, mission_id: "be-embassy", residence_country: "BE",
    route: { held: "ordinary_passport", lost: false }, application_type: "renewal.passport.renewal" };
  const first = await api("POST", "/api/v1/orders", token, draft);
  assert.equal(first.status, 201, JSON.stringify(first.body));

  const outcomes = { statuses: new Map(), failures: [], created: [first.body.id] };
  let running = true;
  const worker = async (n) => {
    for (let i = 0; running; i++) {
      try {
        const write = (i + n) % 4 === 0;
        const answer = write ? await api("POST", "/api/v1/orders", token, draft) : await api("GET", `/api/v1/orders/${first.body.id}`, token);
        outcomes.statuses.set(answer.status, (outcomes.statuses.get(answer.status) ?? 0) + 1);
        if (write && answer.status === 201) outcomes.created.push(answer.body.id);
      } catch (error) {
        outcomes.failures.push(String(error));
      }
    }
  };
  const workers = Array.from({ length: 6 }, (_, n) => worker(n));
  for (let i = 0; i < stack.cluster.nodes.length; i++) {
    await new Promise((r) => setTimeout(r, 700));
    await stack.cluster.nodes[i].stop();
    await stack.cluster.restart(i);
  }
  await new Promise((r) => setTimeout(r, 700));
  running = false;
  await Promise.all(workers);

  const summary = JSON.stringify(Object.fromEntries(outcomes.statuses));
  console.log(`rolling restart of ${stack.cluster.nodes.length} nodes: answers by status ${summary}, ${outcomes.created.length} drafts acknowledged`);
  assert.deepEqual(outcomes.failures, [], "no request failed to get an answer");
  for (const status of outcomes.statuses.keys()) assert.ok(status < 500, `answers by status: ${summary}`);
  assert.ok(outcomes.statuses.get(200) > 50 && outcomes.statuses.get(201) > 10, `work went on throughout: ${summary}`);
  const ids = outcomes.created.map((id) => `'${id.replace(/[^0-9a-f-]/g, "")}'`).join(",");
  const kept = Number(stack.cluster.query(`SELECT count(*) FROM orders WHERE id IN (${ids})`));
  assert.equal(kept, outcomes.created.length, "every acknowledged draft is kept");
});
