// Uploads for application steps: each <input type=file data-upload-url> sends the chosen
// file as the raw body to its URL, then loads the page afresh (a GET, never a re-post; the uploader's data-back
// where the page answered a post to another address) to show it (and, for a photo, its advisory check). Errors from the API are shown beside the input.
(function () {
  "use strict";
  const types = { "image/jpeg": true, "image/png": true, "application/pdf": true };
  document.querySelectorAll("input[type=file][data-upload-url]").forEach(function (input) {
    const box = input.closest(".uploader");
    const result = box ? box.querySelector(".upload-result") : null;
    input.addEventListener("change", async function () {
      const file = input.files[0];
      if (!file) return;
      const type = types[file.type] ? file.type : "application/octet-stream";
      input.disabled = true;
      const response = await fetch(input.dataset.uploadUrl, {
        method: "PUT",
        headers: { "Content-Type": type },
        body: file,
        credentials: "same-origin",
      });
      if (response.ok) {
        window.location.assign((box && box.dataset.back) || window.location.pathname);
        return;
      }
      input.disabled = false;
      let message = box ? box.dataset.errorGeneric : "";
      try {
        const body = await response.json();
        const field = (body.error.fields || [])[0];
        message = field ? field.message : body.error.message;
      } catch (ignored) { /* keep the generic message */ }
      if (result) {
        result.className = "upload-result error";
        result.textContent = message;
      }
    });
  });
})();
