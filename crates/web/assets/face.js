// Face capture for real-name verification and an order's face step: preview the front camera; "人脸识别" takes
// a still and sends it as a JPEG to the API; after a refusal the button reads "重试" (FAQ 9). A file picker
// (camera capture on phones) is the fallback.
(function () {
  "use strict";
  const root = document.getElementById("face");
  if (!root) return;
  const video = document.getElementById("preview");
  const canvas = document.getElementById("snapshot");
  const result = document.getElementById("face-result");
  const upload = document.getElementById("upload");

  async function send(blob, type) {
    const response = await fetch(root.dataset.url, {
      method: "PUT",
      headers: { "Content-Type": type },
      body: blob,
      credentials: "same-origin",
    });
    if (response.ok) {
      window.location.assign(root.dataset.done);
      return;
    }
    let message = root.dataset.errorGeneric;
    try {
      const body = await response.json();
      const field = (body.error.fields || [])[0];
      message = field ? field.message : body.error.message;
    } catch (ignored) { /* keep the generic message */ }
    result.className = "error";
    result.textContent = message;
    document.getElementById("capture").textContent = root.dataset.retry;
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false })
      .then(function (stream) { video.srcObject = stream; })
      .catch(function () { result.textContent = root.dataset.errorCamera; });
  } else {
    result.textContent = root.dataset.errorCamera;
  }

  document.getElementById("capture").addEventListener("click", function () {
    if (!video.videoWidth) { result.textContent = root.dataset.errorCamera; return; }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob(function (blob) { send(blob, "image/jpeg"); }, "image/jpeg", 0.9);
  });

  upload.addEventListener("change", function () {
    const file = upload.files[0];
    if (file) send(file, file.type === "image/png" ? "image/png" : "image/jpeg");
  });
})();
