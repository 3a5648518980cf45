/* The answering page, progressively enhanced. Without this file the page is one plain
   form that works; with it, a pupil survey shows one question per screen with a progress
   bar, Back and Next, and each question gets a read-aloud button where the browser can
   speak (Web Speech API). Loaded as a file: the CSP forbids inline scripts. */
(function () {
  "use strict";

  // --- read aloud -----------------------------------------------------------------------
  // Each button speaks the language of its words (the nearest lang attribute: the page's
  // <html lang>, or the interface's where it falls back to English for a language
  // without a catalog). English keeps the device's default voice when it lists none. Any
  // other language needs a voice of its own: an English voice reading Welsh is worse than
  // none, so without one those buttons stay hidden and a short note (.speech-note, in the
  // page's words) says so.
  /** How long to wait for the device's list of voices (Chrome fills it in later). */
  var VOICES_WAIT_MS = 1500;

  function voiceFor(lang) {
    var want = lang.toLowerCase();
    var base = want.split("-")[0];
    var voices = window.speechSynthesis.getVoices() || [];
    var same = voices.filter(function (v) {
      return (v.lang || "").replace("_", "-").toLowerCase().split("-")[0] === base;
    });
    var exact = same.filter(function (v) {
      return (v.lang || "").replace("_", "-").toLowerCase() === want;
    });
    return exact[0] || same[0] || null;
  }

  function setUpSpeech() {
    if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") {
      return;
    }
    var synth = window.speechSynthesis;
    var buttons = Array.prototype.slice.call(document.querySelectorAll("button.speak[data-say]"));
    var note = document.querySelector(".speech-note");
    function langOf(button) {
      var marked = button.closest("[lang]");
      return (marked && marked.getAttribute("lang")) || "en-GB";
    }
    function english(lang) {
      return lang.split("-")[0].toLowerCase() === "en";
    }
    /** Show each button that has a voice (or is English); the note where any has none. */
    function showButtons(final) {
      var missing = false;
      buttons.forEach(function (button) {
        var lang = langOf(button);
        var ok = english(lang) || voiceFor(lang) !== null;
        if (ok || final) {
          button.hidden = !ok;
        }
        missing = missing || !ok;
      });
      if (note && final) {
        note.hidden = !missing;
      }
    }
    showButtons(false);
    setTimeout(function () { showButtons(true); }, VOICES_WAIT_MS);
    if (typeof synth.addEventListener === "function") {
      synth.addEventListener("voiceschanged", function () { showButtons(false); });
    }
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        synth.cancel();
        var lang = langOf(button);
        var voice = voiceFor(lang);
        var words = new window.SpeechSynthesisUtterance(button.getAttribute("data-say"));
        words.lang = lang;
        if (voice) {
          words.voice = voice;
        }
        words.rate = 0.85;
        words.onstart = function () { button.classList.add("speaking"); };
        words.onend = words.onerror = function () { button.classList.remove("speaking"); };
        synth.speak(words);
      });
    });
  }
  setUpSpeech(); // the thank-you page reads aloud too

  var form = document.querySelector("form.answer-form");
  if (!form) {
    return;
  }

  // --- time on each question, and read-aloud use (for the pilot report) ------------------
  // Never required: without this script no field is sent and the answers are stored alike.
  // The question a pupil is on is the step shown, or the last one touched; its clock runs
  // until another question is shown or touched, or Send is pressed.
  var timings = {};
  var active = null;
  var since = 0;
  function codeOf(element) {
    var box = element && element.closest ? element.closest("fieldset.question[id^='q-']") : null;
    return box ? box.id.slice(2) : null;
  }
  function onQuestion(code) {
    var now = Date.now();
    if (active !== null) {
      timings[active] = timings[active] || { ms: 0, read: 0 };
      timings[active].ms += now - since;
    }
    active = code;
    since = now;
  }
  ["focusin", "click", "change"].forEach(function (type) {
    form.addEventListener(type, function (event) {
      var code = codeOf(event.target);
      if (code !== null && code !== active) {
        onQuestion(code);
      }
      if (type === "click" && code !== null && event.target.closest("button.speak")) {
        timings[code] = timings[code] || { ms: 0, read: 0 };
        timings[code].read += 1;
      }
    });
  });
  var timingsField = document.createElement("input");
  timingsField.type = "hidden";
  timingsField.name = "_timings";
  form.appendChild(timingsField);
  form.addEventListener("submit", function () {
    onQuestion(active);
    var rounded = {};
    Object.keys(timings).forEach(function (code) {
      rounded[code] = { ms: Math.round(timings[code].ms), read: timings[code].read };
    });
    timingsField.value = JSON.stringify(rounded);
  });

  // --- one send only --------------------------------------------------------------------
  // The server stores one response per submission id anyway; this just stops a second
  // tap from looking like nothing happened.
  var sending = false;
  var sendButton = form.querySelector("button.send");
  var sendLabel = sendButton ? sendButton.textContent : "";
  // offline.js starts the same page again for the next pupil (no service worker to give
  // the page again while offline): Send works again.
  form.addEventListener("survey:next-pupil", function () {
    sending = false;
    if (sendButton) {
      sendButton.textContent = sendLabel;
      sendButton.removeAttribute("aria-disabled");
    }
  });
  form.addEventListener("submit", function (event) {
    if (sending) {
      event.preventDefault();
      return;
    }
    sending = true;
    var send = form.querySelector("button.send");
    if (send) {
      send.textContent = send.getAttribute("data-sending") || "Sending\u2026";
      send.setAttribute("aria-disabled", "true");
    }
  });

  // After an error, put the keyboard and screen reader on the message that says why.
  var alertBox = document.querySelector(".error-summary, .notice");

  // --- one question per screen (pupil surveys) ------------------------------------------
  var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
  if (!form.classList.contains("pupil") || steps.length < 2) {
    if (alertBox) {
      alertBox.focus();
    }
    return;
  }
  var progressBox = form.querySelector(".progress");
  var bar = progressBox.querySelector("progress");
  var counter = progressBox.querySelector(".progress-text");
  var back = form.querySelector("button.back");
  var next = form.querySelector("button.next");
  var send = form.querySelector("button.send");
  var message = form.querySelector(".step-message");
  var intro = document.querySelector(".intro");
  var languages = document.querySelector("nav.languages");
  var current = 0;

  form.classList.add("stepped");
  progressBox.hidden = false;

  function answered(step) {
    var number = step.querySelector("input[name=pupil_number]");
    if (number) {
      var n = parseInt(number.value, 10);
      // The largest number (99, or up to 999 for large schools) comes with the page.
      var top = parseInt(step.getAttribute("data-pupil-number"), 10) || 99;
      return /^\s*\d{1,3}\s*$/.test(number.value) && n >= 1 && n <= top;
    }
    var groups = step.querySelectorAll(".options");
    if (groups.length) {
      // Every group (both "before" and "now" on a retrospective item) needs a tick.
      return Array.prototype.every.call(groups, function (group) {
        return group.querySelector("input:checked") !== null;
      });
    }
    var box = step.querySelector("input, textarea");
    return !box || box.value.trim() !== "";
  }

  function show(index, focus) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    onQuestion(codeOf(steps[current]));
    steps.forEach(function (step, i) { step.hidden = i !== current; });
    var last = current === steps.length - 1;
    bar.value = current + 1;
    counter.textContent = (progressBox.getAttribute("data-of") || "{n} of {total}")
      .replace("{n}", String(current + 1)).replace("{total}", String(steps.length));
    back.hidden = current === 0;
    next.hidden = last;
    send.hidden = !last;
    message.hidden = true;
    if (intro) {
      intro.hidden = current !== 0;
    }
    if (languages) {
      languages.hidden = current !== 0; // the language is chosen on the first screen
    }
    if (focus) {
      window.scrollTo(0, 0);
      var legend = steps[current].querySelector("legend");
      if (legend) {
        legend.focus({ preventScroll: true });
      }
    }
  }

  function stopIfUnanswered() {
    var step = steps[current];
    if (!step.hasAttribute("data-required") || answered(step)) {
      return false;
    }
    message.textContent = step.hasAttribute("data-pupil-number")
      ? message.getAttribute("data-number")
        .replace("{top}", step.getAttribute("data-pupil-number") || "99")
      : message.getAttribute("data-choose");
    message.hidden = false;
    return true;
  }

  next.addEventListener("click", function () {
    if (!stopIfUnanswered()) {
      show(current + 1, true);
    }
  });
  back.addEventListener("click", function () { show(current - 1, true); });
  form.addEventListener("survey:next-pupil", function () { show(0, true); });

  // Enter in the number box moves on instead of sending half a survey.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName === "INPUT" && current < steps.length - 1) {
      event.preventDefault();
      next.click();
    }
  });

  // The error summary's links jump to the step that holds the question.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) {
        return;
      }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      var index = steps.indexOf(target);
      if (index >= 0) {
        event.preventDefault();
        show(index, true);
      }
    });
  }

  var firstError = steps.findIndex(function (step) { return step.classList.contains("has-error"); });
  var resend = document.querySelector(".notice") !== null;
  // A refused token keeps every answer: open on the last screen, where Send is.
  show(firstError >= 0 ? firstError : (resend ? steps.length - 1 : 0), false);
  if (alertBox) {
    alertBox.focus();
  }
})();
