// The handwritten signature of the nationality-status declaration (图 7、8): "手写签名" opens
// the pad, drawn with a finger, pen or mouse; "完成" sends it as a lossless PNG and the page
// shows the saved signature; "重新签名" opens the pad again; "清除" wipes the pad.
(function () {
  "use strict";
  const root = document.getElementById("signature");
  if (!root) return;
  const canvas = document.getElementById("signature-pad");
  const result = root.querySelector(".upload-result");
  const pen = canvas.getContext("2d");
  let drawing = false;
  let drawn = false;

  function clear() {
    pen.fillStyle = "#fff";
    pen.fillRect(0, 0, canvas.width, canvas.height);
    drawn = false;
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
  }

  clear();
  pen.lineWidth = 4;
  pen.lineCap = "round";
  pen.strokeStyle = "#000";
  canvas.addEventListener("pointerdown", function (event) {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    const [x, y] = point(event);
    pen.beginPath();
    pen.moveTo(x, y);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    const [x, y] = point(event);
    pen.lineTo(x, y);
    pen.stroke();
    drawn = true;
  });
  ["pointerup", "pointercancel"].forEach(function (name) {
    canvas.addEventListener(name, function () { drawing = false; });
  });
  document.getElementById("signature-clear").addEventListener("click", clear);
  const start = document.getElementById("signature-start");
  start.addEventListener("click", function () {
    document.getElementById("signature-area").hidden = false;
    start.hidden = true;
    clear();
    canvas.focus();
  });
  document.getElementById("signature-done").addEventListener("click", function () {
    if (!drawn) {
      result.className = "upload-result error";
      result.textContent = root.dataset.errorEmpty;
      return;
    }
    canvas.toBlob(async function (blob) {
      const response = await fetch(root.dataset.uploadUrl, {
        method: "PUT",
        headers: { "Content-Type": "image/png" },
        body: blob,
        credentials: "same-origin",
      });
      if (response.ok) {
        window.location.assign(window.location.pathname);
        return;
      }
      result.className = "upload-result error";
      result.textContent = root.dataset.errorGeneric;
    }, "image/png");
  });
})();
