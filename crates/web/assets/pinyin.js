// Suggests the passport pinyin as the applicant types the Chinese name, and fills the
// pinyin fields on request (never silently: a renewal must copy the old passport).
(function () {
  "use strict";
  const box = document.getElementById("pinyin-suggestion");
  const surname = document.getElementById("surname_zh");
  const given = document.getElementById("given_name_zh");
  if (!box || !surname || !given) return;
  const text = box.querySelector(".suggested");
  const use = box.querySelector("button");
  let current = null;

  async function suggest() {
    const name = surname.value.trim() + given.value.trim();
    if (!name) { box.hidden = true; return; }
    const response = await fetch("/api/v1/pinyin-suggestions?name=" + encodeURIComponent(name), { credentials: "same-origin" });
    if (!response.ok) { box.hidden = true; return; }
    current = await response.json();
    text.textContent = current.surname + " " + current.given_name;
    box.hidden = false;
  }

  surname.addEventListener("change", suggest);
  given.addEventListener("change", suggest);
  use.addEventListener("click", function () {
    if (!current) return;
    document.getElementById("surname_pinyin").value = current.surname;
    document.getElementById("given_name_pinyin").value = current.given_name;
  });
  if (surname.value && given.value) suggest();
})();
