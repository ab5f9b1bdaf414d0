// Every page: registers the service worker (static assets and the offline page), shows the
// header's count of unread messages, moves the focus to an error summary, and keeps
// what is typed into a form marked `data-draft` on this device until the server has it. A form
// sent while the connection is down waits, says so, and is sent once when the connection
// returns; a draft left unsent is put back into its form when the page is opened again.
// Passwords and files are never kept.
(() => {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  const main = document.getElementById("main");
  const offlinePage = document.body.hasAttribute("data-offline");
  // The header's count of unread messages, for a signed-in applicant (a visitor gets 401).
  const unread = document.getElementById("inbox-unread");
  if (unread && !offlinePage) {
    fetch("/api/v1/me/messages/unread", { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((answer) => {
        if (answer && answer.unread > 0) {
          unread.textContent = ` ${answer.unread}`;
          unread.hidden = false;
        }
      })
      .catch(() => {});
  }
  // The download page's "add to home screen": shown when the browser offers to install.
  const install = document.getElementById("install");
  if (install) {
    window.addEventListener("beforeinstallprompt", (event) => {
      event.preventDefault();
      install.hidden = false;
      install.addEventListener("click", () => event.prompt(), { once: true });
    });
  }
  const KEY = "lingshi-draft:";
  const SENT = "lingshi-draft-sent";
  // A form sent back with errors: the reader (and a screen reader) starts at their summary.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  // This page is the server's answer to the form sent from the last one: that draft is done.
  const sent = sessionStorage.getItem(SENT);
  if (sent && !offlinePage) {
    localStorage.removeItem(KEY + sent);
    sessionStorage.removeItem(SENT);
  }

  const say = (form, text) => {
    let status = form.querySelector(".draft-status");
    if (!status) {
      status = document.createElement("p");
      status.className = "notice draft-status";
      status.setAttribute("role", "status");
      form.prepend(status);
    }
    status.textContent = text;
  };

  for (const form of document.querySelectorAll("form[data-draft]")) {
    const key = KEY + location.pathname;
    const kept = (field) => field.name && !["password", "file", "hidden", "submit", "button"].includes(field.type);
    const values = () => [...form.elements].filter(kept).map((field) =>
      field.type === "radio" || field.type === "checkbox" ? [field.name, field.value, field.checked] : [field.name, field.value]);
    const save = () => localStorage.setItem(key, JSON.stringify({ saved: Date.now(), values: values() }));

    const draft = JSON.parse(localStorage.getItem(key) || "null");
    if (draft && !summary) {
      for (const [name, value, checked] of draft.values) {
        for (const field of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
          if (!kept(field)) continue;
          if (field.type === "radio" || field.type === "checkbox") {
            if (field.value === value) field.checked = checked;
          } else {
            field.value = value;
          }
        }
      }
      say(form, main.dataset.draftRestored);
    }

    form.addEventListener("input", save);
    form.addEventListener("change", save);
    let waiting = false;
    form.addEventListener("submit", (event) => {
      save();
      if (navigator.onLine) {
        sessionStorage.setItem(SENT, location.pathname);
        return;
      }
      event.preventDefault();
      say(form, main.dataset.draftWaiting);
      if (waiting) return;
      waiting = true;
      window.addEventListener("online", () => form.requestSubmit(), { once: true });
    });
  }
})();
