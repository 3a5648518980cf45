/* New collection page: "Pair with" lists only collections of the chosen survey, school
   and class, and "Ask for pupil number" follows the survey's audience and the phase
   until the person ticks or unticks it themselves. Without script the server still
   refuses a pair across classes. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-new-collection]");
  if (!form) { return; }
  var survey = form.querySelector("#survey");
  var school = form.querySelector("#school");
  var newSchool = form.querySelector("#new_school");
  var group = form.querySelector("#group");
  var pair = form.querySelector("#pair_with");
  var ask = form.querySelector("#ask_pupil_number");
  var askTouched = false;

  function words(text) { return (text || "").trim().split(/\s+/).join(" "); }
  function schoolName() {
    if (newSchool && words(newSchool.value)) { return words(newSchool.value); }
    return school ? school.value : (form.dataset.school || "");
  }
  function phase() {
    var checked = form.querySelector('input[name="phase"]:checked');
    return checked ? checked.value : "";
  }

  function update() {
    var s = survey.value, sc = schoolName(), g = words(group.value);
    Array.prototype.forEach.call(pair.options, function (o) {
      if (!o.value) { return; }
      var fits = o.dataset.survey === s && o.dataset.school === sc && o.dataset.group === g;
      o.hidden = !fits;
      o.disabled = !fits;
      if (!fits && o.selected) { pair.value = ""; }
    });
    var chosen = survey.options[survey.selectedIndex];
    if (ask && !askTouched && chosen && chosen.dataset.audience) {
      ask.checked = chosen.dataset.audience === "pupil" &&
        (phase() === "before" || phase() === "after");
    }
  }

  if (ask) { ask.addEventListener("change", function () { askTouched = true; }); }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
}());
