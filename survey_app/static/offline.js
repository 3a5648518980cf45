/* The answering page's part in surviving a dropped connection (with outbox.js and the
   service worker answer-sw.js). Without JavaScript, or in a browser without IndexedDB,
   none of this runs and the form posts the plain way, as it always did.

   - Send keeps the answers in the outbox first, then posts them. Stored: on to the
     thank-you page. No connection: a "saved, will be sent" screen and a Next pupil
     button, and the answers go by themselves when the connection is back.
   - Answers the server judges (a missing answer, a closed survey) are posted the plain
     way instead, so the pupil sees the same page as without JavaScript.
   - Next pupil, offline: the same page starts again, in the language the pupil chose.
     It is not fetched again: the service worker's kept copy of the page is in whichever
     language was last loaded, which raced with the pupil's choice (a Welsh page came back
     in English), and with no service worker (plain http on a school network) there is
     no copy at all. */
(function () {
  "use strict";

  var config = document.getElementById("offline-app");
  var Outbox = window.SurveyOutbox;
  if (!config || !Outbox || !window.indexedDB || !window.fetch || !window.Promise) {
    return;
  }
  var pageUrl = new URL(config.getAttribute("data-page"), location.href).href;
  var thanksUrl = config.getAttribute("data-thanks");
  var form = document.querySelector("form.answer-form");
  var saved = document.getElementById("saved-offline");
  var status = document.getElementById("outbox-status");
  var sw = "serviceWorker" in navigator ? navigator.serviceWorker : null;
  var retryTimer = null;
  /** How often to try again while answers wait (the `online` event is not always told). */
  var RETRY_MS = 10000;

  function say(element, text) {
    if (element) {
      element.textContent = text;
    }
  }

  /** The words for `n` waiting answers: a sentence in the strip above the form, a
   short count on the "saved" screen (which already says what happens). */
  function waitingWords(n, short) {
    if (n === 0) {
      return config.getAttribute("data-all-sent");
    }
    var name = short ? "data-count-waiting" : (n === 1 ? "data-one-waiting" : "data-many-waiting");
    return (config.getAttribute(name) || "").replace("{n}", String(n));
  }

  /** Say how many answers wait on this device, and keep trying while any do. */
  function showWaiting() {
    return Outbox.waiting().then(function (records) {
      var n = records.length;
      if (status) {
        var savedShown = saved && !saved.hidden;
        status.hidden = savedShown || (n === 0 && !status.hasAttribute("data-had-waiting"));
        if (n > 0) {
          status.setAttribute("data-had-waiting", "");
        }
        say(status.querySelector(".outbox-words"), waitingWords(n));
        status.setAttribute("data-waiting", String(n));
      }
      if (saved) {
        say(saved.querySelector(".outbox-words"), waitingWords(n, true));
        saved.setAttribute("data-waiting", String(n));
      }
      if (n > 0 && retryTimer === null) {
        retryTimer = setInterval(sendWaiting, RETRY_MS);
      } else if (n === 0 && retryTimer !== null) {
        clearInterval(retryTimer);
        retryTimer = null;
      }
      return n;
    });
  }

  function sendWaiting() {
    return Outbox.sendAll().then(showWaiting, showWaiting);
  }

  /** Let the service worker send the answers even if this page is closed first. */
  function askWorkerToSend() {
    if (sw) {
      sw.ready.then(function (reg) {
        return reg.sync ? reg.sync.register("send-answers") : null;
      }).catch(function () { return null; });
    }
  }

  // --- the service worker: keep this page for offline use ---------------------------
  if (sw) {
    sw.register(config.getAttribute("data-sw"), { scope: config.getAttribute("data-scope") })
      .then(function () { return sw.ready; })
      .then(function () { return caches.open(Outbox.PAGE_CACHE); })
      .then(function (cache) { return cache.add(pageUrl); })
      .then(function () { document.documentElement.setAttribute("data-offline-ready", "yes"); })
      .catch(function () { document.documentElement.setAttribute("data-offline-ready", "no"); });
  } else {
    document.documentElement.setAttribute("data-offline-ready", "no");
  }

  window.addEventListener("online", sendWaiting);
  if (sw) {
    sw.addEventListener("message", function (event) {
      if (event.data === "outbox-changed") {
        showWaiting();
      }
    });
  }
  sendWaiting();

  if (!form || !saved) {
    return;
  }

  // --- a fresh submission id for each pupil ------------------------------------------
  // A page kept for offline use carries the id it was kept with; every pupil needs their
  // own. A page the server showed again (an error, a refused token) keeps its id: it is
  // the same submission.
  var idField = form.querySelector("input[name=submission_id]");
  var shownAgain = document.querySelector(".error-summary, .notice") !== null;
  if (idField && !shownAgain) {
    idField.value = Outbox.newId();
  }

  function plainSubmit() {
    HTMLFormElement.prototype.submit.call(form);
  }

  function hideForm(hidden) {
    var parts = document.querySelectorAll(
      "form.answer-form, .intro, .error-summary, .notice, #outbox-status");
    Array.prototype.forEach.call(parts, function (part) { part.hidden = hidden; });
  }

  function showSaved() {
    hideForm(true);
    saved.hidden = false;
    window.scrollTo(0, 0);
    var heading = saved.querySelector("h2");
    if (heading) {
      heading.focus({ preventScroll: true });
    }
    showWaiting();
  }

  function keep(record) {
    return Outbox.put(record).then(function () {
      return Outbox.post(record, false);
    }, function () {
      return "not-kept"; // no storage (private mode): the plain way
    }).then(function (outcome) {
      if (outcome === "sent") {
        // The connection works: the worker sends what waits from earlier pupils (it
        // carries on while this page goes to the thank-you page).
        if (sw && sw.controller) {
          sw.controller.postMessage("send-answers");
        }
        return Outbox.remove(record.id).then(null, function () { return null; })
          .then(function () { location.assign(thanksUrl); });
      }
      if (outcome === "later") {
        showSaved();
        askWorkerToSend();
        return null;
      }
      // The server has something to say about these answers: let it say it.
      var forget = outcome === "not-kept" ? Promise.resolve() : Outbox.remove(record.id);
      return forget.then(plainSubmit, plainSubmit);
    });
  }

  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) {
      return; // answer.js stopped a second tap
    }
    event.preventDefault();
    var data = new FormData(form);
    keep({
      id: data.get("submission_id"), url: form.action,
      body: new URLSearchParams(data).toString(), answeredAt: Date.now(),
    });
  });

  var next = saved.querySelector(".next-pupil");
  next.addEventListener("click", function (event) {
    event.preventDefault();
    form.reset();
    if (idField) {
      idField.value = Outbox.newId();
    }
    saved.hidden = true;
    hideForm(false);
    form.dispatchEvent(new CustomEvent("survey:next-pupil"));
    showWaiting();
  });
  // Send now keeps answers through a dropped connection (tests wait for this).
  document.documentElement.setAttribute("data-outbox", "ready");
})();
