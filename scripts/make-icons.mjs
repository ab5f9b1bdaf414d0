// Renders the app icon drawn here (crates/web/assets/icon.svg) to the PNG sizes the web app
// manifest lists, with the e2e suite's Chromium:
//   node scripts/make-icons.mjs      (after `npm --prefix e2e ci`)
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";

const require = createRequire(new URL("../e2e/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const svg = readFileSync(new URL("../crates/web/assets/icon.svg", import.meta.url), "utf8");
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
for (const size of [192, 512]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<style>html,body{margin:0}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
  writeFileSync(new URL(`../crates/web/assets/icon-${size}.png`, import.meta.url), await page.screenshot({ type: "png" }));
  await page.close();
}
await browser.close();
