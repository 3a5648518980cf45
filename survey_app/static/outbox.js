/* The outbox: answers that wait in this browser (IndexedDB) until they reach the server.
   Shared by the answering page (offline.js) and the service worker (answer-sw.js), so it
   touches no page: only IndexedDB, fetch and, where there is one, a Web Lock.

   Each answer keeps the submission id its page gave it and is posted to the same address
   the form posts to, so the server's unique key stores it exactly once however often it
   is sent (a double tap, a send whose reply was lost, the page and the worker both
   sending). `_waited` says how long it waited, measured on this browser's own clock. */
(function (scope) {
  "use strict";

  var DB_NAME = "survey-outbox";
  var STORE = "answers";
  /** The service worker keeps survey pages here; the page adds its own on first load. */
  var PAGE_CACHE = "survey-pages-v1";
  /** A send that has had no reply by then is tried again later. */
  var SEND_TIMEOUT_MS = 20000;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = scope.indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(STORE, { keyPath: "id" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  /** Run `work(store)` in one transaction; resolves with its request's result. */
  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var req = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(req ? req.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function put(record) { return withStore("readwrite", function (s) { return s.put(record); }); }
  function remove(id) { return withStore("readwrite", function (s) { return s.delete(id); }); }
  function all() { return withStore("readonly", function (s) { return s.getAll(); }); }

  /** Answers still to send (those the server refused are kept, but not counted). */
  function waiting() {
    return all().then(function (records) {
      return records.filter(function (r) { return !r.refused; });
    });
  }

  /** A new submission id, in the form the server accepts (22 URL-safe characters). */
  function newId() {
    var bytes = new Uint8Array(16);
    scope.crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  /** Post one answer; "sent", "later" (no connection, busy, server trouble), "token"
   (the page's CSRF token is too old) or "refused" (the server will never take it). */
  function post(record, waited) {
    var body = new URLSearchParams(record.body);
    if (waited) {
      body.set("_waited", String(Math.max(0, Date.now() - record.answeredAt)));
    }
    // A Wi-Fi that is connected but goes nowhere can hold a post for minutes.
    var abort = typeof AbortController === "function" ? new AbortController() : null;
    var timer = abort ? setTimeout(function () { abort.abort(); }, SEND_TIMEOUT_MS) : null;
    return scope.fetch(record.url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      cache: "no-store", signal: abort ? abort.signal : undefined,
    }).then(function (r) {
      clearTimeout(timer);
      // The only redirect this address gives is to the thank-you page: stored.
      if (r.type === "opaqueredirect" || (r.status >= 300 && r.status < 400)) {
        return "sent";
      }
      if (r.status === 429 || r.status >= 500) {
        return "later";
      }
      return r.status === 400 ? "token" : "refused";
    }, function () {
      clearTimeout(timer);
      return "later";
    });
  }

  /** A fresh CSRF token from the survey page itself (the session may have changed). */
  function freshToken(url) {
    return scope.fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var m = /name="csrf_token" value="([^"]+)"/.exec(html);
        return m ? m[1] : "";
      }, function () { return ""; });
  }

  /** Send one waiting answer, renewing an old token once. */
  function sendOne(record) {
    return post(record, true).then(function (outcome) {
      if (outcome !== "token") {
        return outcome;
      }
      return freshToken(record.url).then(function (token) {
        if (!token) {
          return "later";
        }
        var body = new URLSearchParams(record.body);
        body.set("csrf_token", token);
        record.body = body.toString();
        return put(record).then(function () { return post(record, true); })
          .then(function (again) { return again === "token" ? "refused" : again; });
      });
    }).then(function (outcome) {
      if (outcome === "sent") {
        return remove(record.id).then(function () { return outcome; });
      }
      if (outcome === "refused") {
        record.refused = true;
        return put(record).then(function () { return outcome; });
      }
      return outcome;
    });
  }

  function sendAllNow() {
    return waiting().then(function (records) {
      records.sort(function (a, b) { return a.answeredAt - b.answeredAt; });
      var result = { sent: 0, left: records.length };
      var chain = Promise.resolve(true);
      records.forEach(function (record) {
        chain = chain.then(function (goOn) {
          if (!goOn) {
            return false;
          }
          return sendOne(record).then(function (outcome) {
            if (outcome === "sent" || outcome === "refused") {
              result.left -= 1;
              result.sent += outcome === "sent" ? 1 : 0;
            }
            return outcome !== "later"; // no connection: the rest will not go either
          });
        });
      });
      return chain.then(function () { return result; });
    });
  }

  /** Send every waiting answer, oldest first; one sender at a time per browser where
   Web Locks exist (the server would store each once anyway, this only saves posts). */
  function sendAll() {
    var locks = scope.navigator && scope.navigator.locks;
    if (!locks) {
      return sendAllNow();
    }
    // Waits for a sender already at work (the service worker, another tab): it may have
    // tried just before the connection was back; the waiting list is read afresh after.
    return locks.request("survey-outbox", sendAllNow);
  }

  scope.SurveyOutbox = {
    PAGE_CACHE: PAGE_CACHE, put: put, remove: remove, waiting: waiting, newId: newId,
    post: post, sendAll: sendAll,
  };
})(self);
