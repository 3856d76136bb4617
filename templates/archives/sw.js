// The service worker of the village-visits app (served at /sw.js by archives.views.offline).
// A small worker of our own rather than Workbox: it does three things (keep the shell,
// keep the form pages opened, clear them at logout) that fit in this file, and the app
// has no build step to produce Workbox's precache manifest.
"use strict";
const VERSION = "__VERSION__";
const SHELL = {{ shell|safe }};
const STATIC_CACHE = "static-" + VERSION;
const PAGES_CACHE = "pages";  // the pages of the user signed in: cleared at logout
const LOGIN = {{ login|safe }};
const OFFLINE_PAGE = {{ offline_page|safe }};
// A page is kept when it holds a form the outbox sends, or says it works offline.
const KEEP = /data-outbox=|data-offline-page/;
// ManifestStaticFilesStorage's names carry their content's hash: such a file never changes.
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("static-") && key !== STATIC_CACHE)
          .map((key) => caches.delete(key))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "forget-pages") {
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  // A POST always goes to the server as it is: no answer to a POST is ever kept.
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else if (SHELL.includes(url.pathname) || HASHED.test(url.pathname)) {
    event.respondWith(kept(request));
  } else if (request.destination === "style" || request.destination === "script" || request.destination === "image") {
    event.respondWith(fresh(request));
  }
});

// Files that never change: from the cache, else fetched once and kept.
async function kept(request) {
  const cache = await caches.open(STATIC_CACHE);
  const found = await cache.match(request);
  if (found) { return found; }
  const response = await fetch(request);
  if (response.ok) { await cache.put(request, response.clone()); }
  return response;
}

// Files without a hash in their name (DEBUG): the network first, the cache without signal.
async function fresh(request) {
  const cache = await caches.open(STATIC_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) { await cache.put(request, response.clone()); }
    return response;
  } catch (error) {
    const found = await cache.match(request, { ignoreSearch: true });
    if (found) { return found; }
    throw error;
  }
}

// Pages: always the server's when there is signal; a kept form page when there is none.
async function page(request, url) {
  try {
    const response = await fetch(request);
    if (url.pathname === LOGIN) {
      await caches.delete(PAGES_CACHE);  // signed out (or never in): keep nobody's pages
    } else if (response.ok && response.type === "basic" && !response.redirected) {
      const type = response.headers.get("Content-Type") || "";
      if (type.startsWith("text/html") && KEEP.test(await response.clone().text())) {
        const cache = await caches.open(PAGES_CACHE);
        await cache.put(request.url, response.clone());
      }
    }
    return response;
  } catch (error) {
    const cache = await caches.open(PAGES_CACHE);
    const found = await cache.match(request.url, { ignoreVary: true });
    if (found) { return found; }
    return new Response(OFFLINE_PAGE, {
      status: 503,
      headers: { "Content-Type": "text/html; charset=utf-8" },
    });
  }
}
