/* The survey builder, enhanced. Without this file every button posts the whole draft and
   the page comes back re-rendered. With it: drag and drop to reorder, previews and
   warnings that follow the typing, the bank filter without a reload, and the answer
   fields for "choice"/"multi" shown as soon as that scale is chosen. */
(function () {
  "use strict";

  var form = document.getElementById("builder-form");
  if (!form) {
    return;
  }
  document.body.classList.add("js");
  var list = document.getElementById("questions");
  var phone = document.getElementById("phone-preview");
  var paper = document.getElementById("paper-preview");
  var paperLink = document.getElementById("paper-link");
  var status = document.getElementById("preview-status");
  // The page's words, in its language (data- attributes of the form, written by Babel).
  var words = form.dataset;

  function each(nodes, fn) { Array.prototype.forEach.call(nodes, fn); }

  // --- previews and warnings follow the draft -----------------------------------------
  var timer = null;
  var seq = 0;

  function draftData() {
    var data = new FormData(form);
    data.delete("yaml_file");
    data.delete("action");
    return data;
  }

  function setList(box, items, tag) {
    box.textContent = "";
    (items || []).forEach(function (text) {
      var el = document.createElement(tag);
      el.textContent = text;
      if (tag === "p") { el.className = "warning"; }
      box.appendChild(el);
    });
  }

  function refresh() {
    var mine = ++seq;
    status.textContent = words.updating;
    fetch(form.getAttribute("data-state-url"), {
      method: "POST", body: draftData(), credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (resp) {
      if (!resp.ok) { throw new Error(String(resp.status)); }
      return resp.json();
    }).then(function (state) {
      if (mine !== seq) { return; }
      if (phone.getAttribute("src") !== state.phone_url) {
        phone.setAttribute("src", state.phone_url);
      }
      var empty = document.getElementById("paper-empty");
      empty.hidden = Boolean(state.pages);
      empty.textContent = state.paper_problem || empty.getAttribute("data-default");
      paperLink.hidden = !state.pages;
      if (state.pages && paper.getAttribute("src") !== state.paper_url) {
        var next = new Image();
        next.onload = function () { if (mine === seq) { paper.src = state.paper_url; } };
        next.src = state.paper_url;
        paperLink.href = state.paper_url;
      }
      var pages = document.getElementById("paper-pages");
      pages.textContent = state.pages ? "(page 1 of " + state.pages + ")" : "";
      setList(document.getElementById("warnings-general"), state.warnings, "p");
      each(list.querySelectorAll("ul.warnings"), function (ul) {
        setList(ul, state.question_warnings[ul.getAttribute("data-for")], "li");
      });
      var count = document.getElementById("question-count");
      count.textContent = form.querySelector("#audience").value === "pupil"
        ? words.pupilCount.replace("{n}", state.count) : String(state.count);
      status.textContent = words.previewsDone;
    }).catch(function () {
      if (mine === seq) {
        status.textContent = words.previewsFailed;
      }
    });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  }

  function inDraft(target) {
    return !target.closest("#own-question, .bank, .start");
  }
  form.addEventListener("input", function (event) { if (inDraft(event.target)) { soon(); } });
  form.addEventListener("change", function (event) { if (inDraft(event.target)) { soon(); } });

  // The preview answers nothing: its Send only says so.
  phone.addEventListener("load", function () {
    var doc = phone.contentDocument;
    var answer = doc && doc.querySelector("form.answer-form");
    if (!answer) { return; }
    answer.addEventListener("submit", function (event) {
      event.preventDefault();
      var message = answer.querySelector(".step-message");
      if (message) {
        message.textContent = words.previewOnly;
        message.hidden = false;
      }
    });
  });

  // --- scales: show the answer list only where it is needed ---------------------------
  function fitScale(select) {
    var box = select.closest("li.q, #own-question");
    var chosen = select.options[select.selectedIndex];
    if (!box || !chosen) { return; }
    var options = box.querySelector(".options-field");
    if (options) { options.hidden = chosen.getAttribute("data-options") !== "yes"; }
    var retro = box.querySelector(".retro-flag input");
    if (retro) {
      var can = chosen.getAttribute("data-retro") === "yes";
      retro.disabled = !can;
      if (!can) { retro.checked = false; }
    }
  }
  each(form.querySelectorAll("select.scale-select"), function (select) {
    fitScale(select);
    select.addEventListener("change", function () { fitScale(select); });
  });

  // --- the bank filter without a reload ------------------------------------------------
  var ages = document.getElementById("bank_ages");
  function filterBank() {
    var wanted = "[" + ages.value + "]";
    each(document.querySelectorAll(".bank-group"), function (group) {
      var shown = 0;
      each(group.querySelectorAll("li.bank-q"), function (item) {
        var fits = item.getAttribute("data-fits").indexOf(wanted) >= 0;
        item.hidden = !fits;
        shown += fits ? 1 : 0;
      });
      group.hidden = shown === 0;
    });
  }
  ages.addEventListener("change", filterBank);

  // --- starting again replaces the draft: ask first -----------------------------------
  each(form.querySelectorAll("button.confirm-replace"), function (button) {
    button.addEventListener("click", function (event) {
      if (list.children.length && !window.confirm(words.confirmReplace)) {
        event.preventDefault();
      }
    });
  });

  // --- drag and drop -------------------------------------------------------------------
  function renumber() {
    var items = Array.prototype.slice.call(list.children);
    items.forEach(function (li, i) {
      li.setAttribute("data-index", String(i));
      li.id = "q-" + i;
      li.querySelector(".num").textContent = String(i + 1);
      each(li.querySelectorAll("[name], [id], [for], [aria-describedby], [data-for]"), function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/q-\d+-/g, "q-" + i + "-")); }
        });
        if (el.hasAttribute("data-for")) { el.setAttribute("data-for", String(i)); }
      });
      each(li.querySelectorAll(".q-buttons button"), function (button) {
        var verb = button.value.split(":")[0];
        button.value = verb + ":" + i;
        var label = { up: words.moveUp, down: words.moveDown, remove: words.remove }[verb];
        button.setAttribute("aria-label", label.replace("{n}", String(i + 1)));
        if (verb === "up") { button.disabled = i === 0; }
        if (verb === "down") { button.disabled = i === items.length - 1; }
      });
    });
  }

  var dragged = null;
  var startOrder = "";
  function order() {
    return Array.prototype.map.call(list.children, function (li) { return li.id; }).join(",");
  }
  each(list.querySelectorAll("li.q"), function (li) {
    li.querySelector(".drag").hidden = false;
    li.setAttribute("draggable", "true");
    li.addEventListener("dragstart", function (event) {
      if (event.target !== li) { return; }
      dragged = li;
      startOrder = order();
      li.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", li.id);
    });
    // The item moves while it is dragged; wherever it is let go, that is its place.
    li.addEventListener("dragend", function () {
      li.classList.remove("dragging");
      dragged = null;
      if (order() !== startOrder) {
        renumber();
        refresh();
      }
    });
    li.addEventListener("dragover", function (event) {
      if (!dragged) { return; }
      event.preventDefault();
      if (dragged === li) { return; }
      var box = li.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? li.nextSibling : li);
    });
    li.addEventListener("drop", function (event) { event.preventDefault(); });
    // Text boxes inside a draggable item must still select text with the mouse.
    each(li.querySelectorAll("input, textarea, select"), function (el) {
      el.addEventListener("mousedown", function () { li.setAttribute("draggable", "false"); });
      el.addEventListener("mouseup", function () { li.setAttribute("draggable", "true"); });
      el.addEventListener("blur", function () { li.setAttribute("draggable", "true"); });
    });
  });
  list.addEventListener("drop", function (event) { event.preventDefault(); });

  // --- after a change, put the keyboard back where the person was working ------------
  var focus = form.getAttribute("data-focus");
  if (focus !== null) {
    var item = document.getElementById("q-" + focus);
    if (item) {
      item.scrollIntoView({ block: "center" });
      var text = item.querySelector("textarea");
      if (text) { text.focus({ preventScroll: true }); }
    }
  } else {
    var alertBox = document.getElementById("notice");
    if (alertBox) { alertBox.setAttribute("tabindex", "-1"); alertBox.focus(); }
  }
})();
