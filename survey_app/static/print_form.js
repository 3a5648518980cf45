/* Print page: show each field only for the kinds of pack that use it (pupil numbers for
   numbered sheets and letters, the letter's text for letters, a number of copies for the
   rest). Without script every field shows, and the server ignores the unused ones. */
(function () {
  "use strict";
  var parts = document.querySelectorAll("[data-show-for]");
  var kinds = document.querySelectorAll('input[name="kind"]');
  if (!parts.length || !kinds.length) { return; }

  function update() {
    var checked = document.querySelector('input[name="kind"]:checked');
    var kind = checked ? checked.value : "";
    Array.prototype.forEach.call(parts, function (part) {
      part.hidden = part.dataset.showFor.split(" ").indexOf(kind) < 0;
    });
  }

  Array.prototype.forEach.call(kinds, function (k) { k.addEventListener("change", update); });
  update();
}());
