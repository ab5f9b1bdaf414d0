// The guide's video interview (Step 4 五): a reviewer publishes slots in the console and asks
// for an interview; the applicant, on a phone, presses 预约时间, picks a time and 立即预约;
// at the time the officer presses 开始通话 and the two browsers (Chromium's fake camera and
// microphone) are connected peer to peer, each receiving the other's video; the officer
// takes a snapshot (截图), which is then on the order, hangs up and records the outcome.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useStack, phone, checkPage, verifiedApplicant, createStaff, staffConsole, submittedRenewal } from "../harness.js";

// No cut-off, so that a slot starting in a few minutes can still be booked.
const stack = useStack({ before, after }, async () => ({ LINGSHI_INTERVIEW_CUTOFF_MINUTES: "0" }));

/** The wall clock in Brussels `minutes` from now: the ISO weekday and `HH:MM`. */
function brussels(minutes) {
  const at = new Date(Date.now() + minutes * 60000);
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Brussels", weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return { weekday: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday) + 1, time: `${parts.hour}:${parts.minute}` };
}

/** Waits until `page`'s call is connected and its remote video plays frames. */
async function connectedWithVideo(page) {
  await page.waitForFunction(() => document.getElementById("call").dataset.connection === "connected", null, { timeout: 30000 });
  await page.waitForFunction(() => {
    const video = document.getElementById("remote-video");
    return video.videoWidth > 0 && video.currentTime > 0.5 && video.getVideoPlaybackQuality().totalVideoFrames > 5;
  }, null, { timeout: 30000 });
}

test("the applicant books a slot and the officer calls, snapshots and records the interview", async () => {
  // A slot starting in three minutes, ending the same day in Brussels.
  let slot = brussels(3);
  while (slot.time >= "23:25") {
    await new Promise((r) => setTimeout(r, 30000));
    slot = brussels(3);
  }
  const base = stack.platform.base;
  const reviewer = await staffConsole(stack, createStaff(stack, "interviewer.be", "reviewer"));
  const officer = reviewer.page;
  await reviewer.context.grantPermissions(["camera", "microphone"], { origin: base });
  await officer.getByRole("link", { name: "视频面审日程" }).click();
  await officer.getByLabel("星期").selectOption(String(slot.weekday));
  await officer.getByLabel("开始时间").fill(slot.time);
  await officer.getByLabel("时长（分钟）").fill("30");
  await officer.getByRole("button", { name: "发布时间段" }).click();
  await officer.locator("#patterns li").first().waitFor();
  await officer.locator("#calendar .slot").first().waitFor();
  await checkPage(officer, "interview-01-calendar");

  const applicantContext = await phone(stack.browser, base);
  await applicantContext.grantPermissions(["camera", "microphone"], { origin: base });
  const { token } = await verifiedApplicant(stack, applicantContext, "interview@example.org", "E55550001");
  const order = await submittedRenewal(stack, token);
  await officer.goto(`/staff/orders/${order.id}`);
  await officer.locator("#interview-reason").fill("补发护照须视频面审");
  await officer.getByRole("button", { name: "要求视频面谈" }).click();
  await officer.getByText("待面谈").first().waitFor();

  const applicant = await applicantContext.newPage();
  await applicant.goto(`/orders/${order.id}`);
  await applicant.getByRole("link", { name: "预约时间" }).click();
  await applicant.locator("#slot-form").waitFor();
  // The demo's weekday slots are listed too; the one published above starts in minutes.
  const ours = applicant.locator("label.choice", { hasText: new RegExp(`${slot.time} CES?T`) }).first();
  await ours.locator("input").check();
  assert.match(await ours.locator(".slot-mission").innerText(), new RegExp(`${slot.time} CES?T`), "the mission's clock beside the applicant's");
  await checkPage(applicant, "interview-02-slots");
  await applicant.getByRole("button", { name: "立即预约" }).click();
  await applicant.locator("#booking-local").waitFor();
  await applicant.locator("#local-video").waitFor();
  assert.match(await applicant.locator("#call-status").innerText(), /使馆工作人员将于/);
  await checkPage(applicant, "interview-03-waiting-room");
  const booked = await stack.mail.mailFor("interview@example.org", /视频面审预约成功/);
  assert.ok(booked.attachments.some((a) => a.contentType === "text/calendar"), "the booking mail carries the calendar entry");

  await officer.goto(`/staff/orders/${order.id}/interview`);
  await officer.getByRole("button", { name: "开始通话" }).click();
  await connectedWithVideo(officer);
  await connectedWithVideo(applicant);
  assert.match(await applicant.locator("#call-status").innerText(), /通话已接通/);
  await checkPage(officer, "interview-04-call");

  await officer.getByRole("button", { name: "截图" }).click();
  await officer.locator("#snapshots img").first().waitFor();
  await officer.goto(`/staff/orders/${order.id}`);
  const shot = officer.locator("img.snapshot").first();
  await shot.waitFor();
  assert.ok(await shot.evaluate((image) => image.complete && image.naturalWidth > 0), "the snapshot is on the order");

  await officer.goto(`/staff/orders/${order.id}/interview`);
  await connectedWithVideo(officer);
  await officer.getByRole("button", { name: "挂断" }).click();
  await applicant.getByText("视频面审已结束").waitFor();
  await officer.getByLabel("已完成").check();
  await officer.getByLabel("备注").fill("本人，证件相符");
  await officer.getByRole("button", { name: "记录结果" }).click();
  await officer.getByText("审核中").first().waitFor();
  await applicantContext.close();
  await reviewer.context.close();
});
