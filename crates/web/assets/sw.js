// Lingshi's service worker. It keeps the static assets and the offline page, never anything
// personal: pages and the API always go to the network (they hold personal data and change),
// and when a page cannot be reached the offline page answers instead. The cache's name
// carries a digest of the assets, so a new release replaces the old cache.
const CACHE = "lingshi-static-__ASSETS_DIGEST__";
const KEPT = ["/offline", "/assets/app.css", "/assets/app.js", "/assets/icon.svg", "/assets/icon-192.png", "/manifest.webmanifest"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(KEPT)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match("/offline")));
  } else if (url.pathname.startsWith("/assets/") || url.pathname === "/manifest.webmanifest") {
    // The kept copy at once, refreshed from the network for next time.
    event.respondWith(caches.open(CACHE).then(async (cache) => {
      const kept = await cache.match(request);
      const fresh = fetch(request)
        .then((response) => {
          if (response.ok) cache.put(request, response.clone());
          return response;
        })
        .catch(() => kept);
      return kept || fresh;
    }));
  }
});
