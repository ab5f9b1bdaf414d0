// The passport-photo check page: send the chosen photo to the API and list each rule with
// its verdict in plain words; when the check suggests a crop, show it and let the citizen
// save the cropped photo (made here, from their own file). Advice only: nothing here stops
// an application.
(function () {
  "use strict";
  const root = document.getElementById("photo-check");
  if (!root) return;
  const input = document.getElementById("photo");
  const summary = document.getElementById("photo-summary");
  const list = document.getElementById("photo-rules");
  const words = { pass: root.dataset.pass, fail: root.dataset.fail, cannot_tell: root.dataset.cannotTell };
  const crop = document.getElementById("photo-crop");
  const preview = document.getElementById("photo-crop-preview");
  const save = document.getElementById("photo-crop-save");

  // The suggested crop of `file`, shown and ready to save.
  async function showCrop(file, box) {
    await window.lingshiCropPreview(file, box, preview);
    const blob = await new Promise(function (resolve) { preview.toBlob(resolve, "image/jpeg", 0.92); });
    if (save.href.startsWith("blob:")) URL.revokeObjectURL(save.href);
    save.href = URL.createObjectURL(blob);
    crop.hidden = false;
  }

  input.addEventListener("change", async function () {
    const file = input.files[0];
    if (!file) return;
    list.replaceChildren();
    crop.hidden = true;
    summary.className = "";
    const response = await fetch("/api/v1/photo-checks", {
      method: "POST",
      headers: { "Content-Type": file.type === "image/png" ? "image/png" : "image/jpeg" },
      body: file,
      credentials: "same-origin",
    });
    const body = await response.json().catch(function () { return null; });
    if (!response.ok || !body) {
      const field = body && body.error && (body.error.fields || [])[0];
      summary.className = "error";
      summary.textContent = field ? field.message : (body && body.error ? body.error.message : root.dataset.errorGeneric);
      return;
    }
    summary.textContent = "";
    for (const rule of body.rules) {
      const item = document.createElement("li");
      item.dataset.rule = rule.rule;
      item.dataset.verdict = rule.verdict;
      item.className = "rule-" + rule.verdict;
      const measured = rule.measured === null ? "" : " (" + root.dataset.measured + " " + rule.measured + " " + rule.unit_name + ")";
      item.textContent = (rule.advice ? rule.advice + " — " : words[rule.verdict] + ": ") + rule.requirement + measured;
      list.appendChild(item);
    }
    if (body.suggested_crop) await showCrop(file, body.suggested_crop);
  });
})();
