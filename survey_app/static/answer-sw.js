/* The survey links' service worker (served as /s/sw.js, scope /s/). The server puts
   VERSION, OFFLINE_FILES and OUTBOX_SCRIPT in front of this file (answer/offline.py).

   - Keeps the page's files (CSS, scripts, pictures) so they load with no connection.
   - Survey pages: the network first (a fresh page when there is one), the kept copy when
     there is none, so a reload or "Next pupil" works with the Wi-Fi down.
   - Never touches a POST: answers go straight to the server, or wait in the outbox.
   - Sends the outbox when the browser says the connection is back (Background Sync),
     even if the page was closed meanwhile. */
/* global VERSION, OFFLINE_FILES, OUTBOX_SCRIPT, SurveyOutbox */
"use strict";

importScripts(OUTBOX_SCRIPT);

var FILES_CACHE = "survey-files-" + VERSION;
/** A page that takes longer than this is treated as no connection (a Wi-Fi that is
    connected but goes nowhere would otherwise leave a pupil staring at a blank screen). */
var PAGE_TIMEOUT_MS = 4000;
var SURVEY_PAGE = /^\/s\/[^/]+(\/thanks)?$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(FILES_CACHE).then(function (cache) {
    return cache.addAll(OFFLINE_FILES);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("survey-files-") === 0 && name !== FILES_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function fromNetworkFirst(request) {
  var timer;
  var timeout = new Promise(function (_resolve, reject) {
    timer = setTimeout(function () { reject(new Error("timeout")); }, PAGE_TIMEOUT_MS);
  });
  var network = fetch(request).then(function (response) {
    clearTimeout(timer);
    if (response.ok) {
      var copy = response.clone();
      caches.open(SurveyOutbox.PAGE_CACHE).then(function (cache) {
        cache.put(request.url.split("?")[0], copy);
      });
    }
    return response;
  });
  return Promise.race([network, timeout]).catch(function () {
    return caches.open(SurveyOutbox.PAGE_CACHE).then(function (cache) {
      return cache.match(request.url.split("?")[0]);
    }).then(function (kept) {
      return kept || network;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (OFFLINE_FILES.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (kept) {
      return kept || fetch(request);
    }));
  } else if (request.mode === "navigate" && SURVEY_PAGE.test(url.pathname)) {
    event.respondWith(fromNetworkFirst(request));
  }
});

/** Tell open survey pages, so they can say what is still waiting. */
function tellPages() {
  return self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (page) { page.postMessage("outbox-changed"); });
  });
}

function sendOutbox() {
  return SurveyOutbox.sendAll().then(function (result) {
    return tellPages().then(function () { return result; });
  }).then(function (result) {
    if (result && result.left > 0) {
      throw new Error("answers still waiting"); // Background Sync tries again later
    }
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "send-answers") {
    event.waitUntil(sendOutbox());
  }
});

self.addEventListener("message", function (event) {
  if (event.data === "send-answers") {
    event.waitUntil(sendOutbox().catch(function () { return null; }));
  }
});
