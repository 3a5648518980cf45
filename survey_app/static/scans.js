// Scan batch progress (updates without reloading) and review keyboard shortcuts.
(function () {
  "use strict";
  var progress = document.getElementById("progress");
  if (progress && /queued|running/.test(progress.dataset.status)) {
    var text = document.getElementById("progress-text");
    var poll = function () {
      fetch(progress.dataset.statusUrl, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var bar = progress.querySelector("progress");
          if (s.status === "running" || s.status === "queued") {
            // The words come from the page (data- attributes written by Babel).
            var words = progress.dataset;
            text.textContent = s.status === "queued" ? words.waiting :
              (s.pages_done === 1 ? words.oneRead : words.manyRead).replace("{n}", s.pages_done) +
              (s.pages_left !== null ? words.left.replace("{n}", s.pages_left) : "") +
              (s.eta ? " (" + s.eta + ")" : "") + "…";
            if (bar && s.pages_total) { bar.max = s.pages_total; bar.value = s.pages_done; }
            // The report's counters move with the pages, not only at the end.
            document.querySelectorAll("[data-count]").forEach(function (cell) {
              if (s[cell.dataset.count] !== undefined) { cell.textContent = s[cell.dataset.count]; }
            });
            setTimeout(poll, 1500);
          } else {
            window.location.reload();  // show the finished report
          }
        })
        .catch(function () { setTimeout(poll, 5000); });
    };
    setTimeout(poll, 1500);
  }

  var form = document.getElementById("review-form");
  if (form) {
    document.addEventListener("keydown", function (e) {
      if (e.target.tagName === "INPUT" && e.target.type === "number") { return; }
      var key = e.key.toLowerCase();
      var el = form.querySelector('[data-key="' + key + '"]');
      if (!el) { return; }
      e.preventDefault();
      if (el.type === "checkbox") { el.checked = !el.checked; } else { el.click(); }
    });
  }
})();
