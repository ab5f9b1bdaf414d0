// A renewal applied for with the keyboard alone — Tab, Shift+Tab, Enter, Space and the arrow
// keys, typing into fields — on a phone-sized page in French (the other language whose pages
// axe-core checks along a whole application): every control is reached in order, the
// focus is always visible, a refused form puts the focus on its error summary, a file is
// chosen through the file input's own key, and the signature is a photo of one written on
// paper (the pad's alternative). Pages checked with axe-core on the way.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useStack, phone, checkPage, fixturePath, verifiedApplicant } from "../harness.js";

const stack = useStack({ before, after });
const scratch = mkdtempSync(join(tmpdir(), "lingshi-keyboard-"));
const PDF = join(scratch, "scan.pdf");
writeFileSync(PDF, "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

/** Whether the focused element matches `selector` (and reads `text`, if given), and that its
 * focus is drawn. */
async function focused(page, selector, text) {
  return page.evaluate(([selector, text]) => {
    const element = document.activeElement;
    if (!element || !element.matches(selector)) return false;
    if (text !== undefined && element.textContent.trim() !== text) return false;
    const style = getComputedStyle(element);
    const drawn = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    if (!drawn) throw new Error(`focus not visible on ${selector}`);
    return true;
  }, [selector, text]);
}

/** Presses Tab (Shift+Tab when `back`) until `selector` (reading `text`, if given) has the focus. */
async function tabTo(page, selector, { back = false, text } = {}) {
  for (let presses = 0; presses < 80; presses++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    if (await focused(page, selector, text)) return;
  }
  throw new Error(`${selector} ${text ?? ""} was never reached with ${back ? "Shift+Tab" : "Tab"}`);
}

/** Tabs into the radio group `name` and moves with the arrow keys to `value`, which checks it. */
async function chooseRadio(page, name, value) {
  await tabTo(page, `input[type=radio][name="${name}"]`);
  const wanted = `input[type=radio][name="${name}"][value="${value}"]`;
  for (let presses = 0; presses < 12 && !(await focused(page, wanted)); presses++) await page.keyboard.press("ArrowDown");
  assert.ok(await focused(page, wanted), `${name}=${value} reached with the arrow keys`);
  await page.keyboard.press("Space");
  assert.ok(await page.locator(wanted).isChecked(), `${name}=${value} chosen`);
}

/** Tabs to a text field and types `text` into it. */
async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type(text);
}

/** Tabs to a date field and types the date's digits in the order Chromium lays its segments
 * out (that of the machine's locale: month/day/year here, year/month/day elsewhere). */
async function typeDate(page, selector, [year, month, day]) {
  for (const digits of [`${month}${day}${year}`, `${year}${month}${day}`, `${day}${month}${year}`]) {
    await tabTo(page, selector);
    await page.keyboard.type(digits);
    if ((await page.locator(selector).inputValue()) === `${year}-${month}-${day}`) return;
    await page.keyboard.press("Shift+Tab");
  }
  throw new Error(`${selector} never read ${year}-${month}-${day}`);
}

/** Tabs to a file input, opens the chooser with Space and picks `file`; the page reloads.
 * On a loaded machine a key press can land before the page has settled and open nothing
 * (seen once in a full run): the input is tabbed to and Space pressed again, up to three
 * times; the chooser must still be opened by the keyboard. */
async function chooseFile(page, selector, file) {
  for (let attempt = 1; ; attempt++) {
    await tabTo(page, selector);
    try {
      const [chooser] = await Promise.all([page.waitForEvent("filechooser", { timeout: 10000 }), page.keyboard.press("Space")]);
      await Promise.all([page.waitForEvent("load"), chooser.setFiles(file)]);
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/** Sends the focused page's form with Enter on its submit button `selector`. */
async function press(page, selector) {
  await tabTo(page, selector);
  await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
}

/** A photo of a signature on paper, as a phone takes it (drawn in the page, saved as JPEG). */
async function photographedSignature(page) {
  const data = await page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 640;
    canvas.height = 240;
    const context = canvas.getContext("2d");
    context.fillStyle = "#faf9f4";
    context.fillRect(0, 0, 640, 240);
    context.strokeStyle = "#141420";
    context.lineWidth = 5;
    context.beginPath();
    context.moveTo(40, 150);
    for (let x = 40; x < 600; x += 20) context.lineTo(x, 120 + ((x / 20) % 2 ? 40 : -20));
    context.stroke();
    return canvas.toDataURL("image/jpeg", 0.85).split(",")[1];
  });
  const path = join(scratch, "signature.jpg");
  writeFileSync(path, Buffer.from(data, "base64"));
  return path;
}

test("a renewal with the keyboard alone, in French", async () => {
  const context = await phone(stack.browser, stack.platform.base, "fr-BE");
  await verifiedApplicant(stack, context, "keys@example.org", "E12345678");
  const page = await context.newPage();
  await page.goto("/");

  // Home → Passeport / document de voyage → the statement, sent unticked first: the focus lands on the error.
  await tabTo(page, 'a[href="/apply/passport"]');
  await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
  await press(page, "#apply-now");
  assert.ok(await page.evaluate(() => document.activeElement?.hasAttribute("data-error-summary")), "focus on the error summary");
  await checkPage(page, "keyboard-01-statement-refused");
  await tabTo(page, "#statement");
  await page.keyboard.press("Space");
  await press(page, "#apply-now");

  // Europe → Belgique → the embassy; where the applicant lives, by arrow keys.
  await tabTo(page, "#mission-picker details details > summary", { text: "Belgique" });
  if (!(await page.evaluate(() => document.activeElement.parentElement.open))) await page.keyboard.press("Enter");
  await chooseRadio(page, "mission_id", "be-embassy");
  await tabTo(page, "#residence_country");
  for (let i = 0; i < 120 && (await page.locator("#residence_country").inputValue()) !== "BE"; i++) {
    await page.keyboard.press("ArrowDown");
  }
  assert.equal(await page.locator("#residence_country").inputValue(), "BE");
  await press(page, "#next");

  // The route: an ordinary passport, not lost; then the type.
  await chooseRadio(page, "held", "ordinary_passport");
  await chooseRadio(page, "lost", "no");
  await press(page, "#next");
  await chooseRadio(page, "application_type", "renewal.passport.renewal");
  await press(page, "#confirm");
  await page.waitForURL("**/steps/details");

  // Personal details, one field after another.
  const fields = [
    ["#surname_zh", "张"], ["#given_name_zh", "三"], ["#surname_pinyin", "ZHANG"], ["#given_name_pinyin", "SAN"],
  ];
  for (const [selector, text] of fields) await typeInto(page, selector, text);
  await chooseRadio(page, "sex", "male");
  await typeDate(page, "#birth_date", ["1990", "05", "01"]);
  for (const [selector, text] of [
    ["#birth_place", "北京"], ["#document_number", "E12345678"],
    ["#address", "Avenue Louise 1, 1050 Bruxelles"], ["#phone", "+32 470 12 34 56"], ["#occupation", "工程师"],
    ["#emergency_contact_name", "李四"], ["#emergency_contact_phone", "+32 2 663 30 01"],
  ]) await typeInto(page, selector, text);
  await checkPage(page, "keyboard-02-details");
  await press(page, "#next");
  await page.waitForURL("**/steps/annotations");
  await chooseRadio(page, "kind", "none");
  await press(page, "#next");

  // The photo and the signature, chosen through the file inputs' own keys.
  await page.waitForURL("**/steps/photo");
  await chooseFile(page, "input[type=file]", fixturePath("astronaut.png"));
  await page.locator("#photo-verdict").waitFor();
  await press(page, "#next");
  await page.waitForURL("**/steps/declaration");
  await chooseFile(page, "#signature-upload", await photographedSignature(page));
  await page.locator("#signature-saved").waitFor();
  await checkPage(page, "keyboard-03-declaration-signature-uploaded");
  await chooseRadio(page, "signer", "applicant");
  await press(page, "#next");

  // Materials; then back with Shift+Tab to a control passed by.
  await page.waitForURL("**/steps/materials");
  await chooseFile(page, "#upload-current_document_page", PDF);
  await page.locator("#material-current_document_page li").first().waitFor();
  await tabTo(page, "#next");
  await tabTo(page, "#upload-current_document_page", { back: true });
  await tabTo(page, "#next");
  await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);

  await page.waitForURL("**/steps/delivery");
  await chooseRadio(page, "submission", "by_post");
  await chooseRadio(page, "pickup", "at_mission");
  await press(page, "#next");
  await page.waitForURL("**/steps/review");
  await press(page, "#next");
  await page.waitForURL("**/steps/face");
  await press(page, "#skip");
  await page.waitForURL("**/steps/payment");
  await press(page, "#submit-order");
  await page.locator("#submitted").waitFor();
  assert.equal(await page.locator("#order-state").textContent(), "En cours d'examen");
  await checkPage(page, "keyboard-04-submitted");
  await context.close();
});
