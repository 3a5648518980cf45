// Taking photos of sheets (scans/camera.html): a viewfinder where the browser lets the page
// use the camera, else the file input (capture="environment" opens the camera on phones).
// Each photo is checked here for light and focus (cheap, the same measures as the server's
// scanner/framing.py), sent at once, and its result shown as it arrives; a photo that must
// be taken again can be retaken straight away, and the retake replaces it.
(function () {
  "use strict";
  var form = document.getElementById("camera-form");
  var box = document.getElementById("camera");
  if (!form || !box) { return; }
  var video = document.getElementById("viewfinder");
  var shoot = document.getElementById("shoot");
  var fileInput = document.getElementById("photo-file");
  var list = document.getElementById("photos");
  var note = document.getElementById("camera-note");
  var retaking = document.getElementById("retaking");
  var taken = 0;
  var retakeItem = null;
  // The page's words, in its language (data- attributes of #camera, written by Babel).
  var words = box.dataset;

  function percentile(hist, total, q) {
    var want = q * total, seen = 0;
    for (var v = 0; v < hist.length; v++) {
      seen += hist[v];
      if (seen >= want) { return v; }
    }
    return hist.length - 1;
  }

  // Paper brightness (90th percentile) and sharpness (99.5th percentile of the Laplacian's
  // magnitude per 255 of grey range), on the picture reduced to the server's long side.
  function judge(source, width, height) {
    var f = Math.min(1, +box.dataset.judgeSide / Math.max(width, height));
    var w = Math.max(3, Math.round(width * f)), h = Math.max(3, Math.round(height * f));
    var c = document.createElement("canvas");
    c.width = w; c.height = h;
    var ctx = c.getContext("2d");
    ctx.drawImage(source, 0, 0, w, h);
    var px = ctx.getImageData(0, 0, w, h).data;
    var grey = new Float32Array(w * h), hist = new Uint32Array(256);
    for (var i = 0, j = 0; i < grey.length; i++, j += 4) {
      var g = 0.299 * px[j] + 0.587 * px[j + 1] + 0.114 * px[j + 2];
      grey[i] = g;
      hist[Math.min(255, Math.round(g))]++;
    }
    var lap = new Uint32Array(1021), n = 0;
    for (var y = 1; y < h - 1; y++) {
      for (var x = 1, k = y * w + 1; x < w - 1; x++, k++) {
        var l = grey[k - 1] + grey[k + 1] + grey[k - w] + grey[k + w] - 4 * grey[k];
        lap[Math.min(1020, Math.round(Math.abs(l)))]++;
        n++;
      }
    }
    var range = Math.max(1, percentile(hist, grey.length, 0.99) - percentile(hist, grey.length, 0.01));
    return {paper: percentile(hist, grey.length, 0.9),
            sharp: percentile(lap, n, 0.995) * 255 / range};
  }

  function problem(measure) {
    if (measure.paper < +box.dataset.minPaper) {
      return words.tooDark;
    }
    if (measure.sharp < +box.dataset.minSharpness) {
      return words.tooBlurry;
    }
    return null;
  }

  function newItem() {
    taken += 1;
    var li = document.createElement("li");
    li.dataset.page = taken;
    var label = document.createElement("span");
    label.textContent = words.photoN.replace("{n}", taken);
    var state = document.createElement("span");
    state.className = "state";
    li.appendChild(label);
    li.appendChild(state);
    list.appendChild(li);
    return li;
  }

  function show(li, state, message, extra) {
    li.dataset.state = state;
    li.querySelector(".state").textContent = message;
    li.querySelectorAll("button").forEach(function (b) { b.remove(); });
    if (state === "retake" || state === "check") {
      var again = document.createElement("button");
      again.type = "button";
      again.textContent = words.takeAgain;
      again.addEventListener("click", function () {
        retakeItem = li;
        retaking.querySelector("span").textContent = li.dataset.page;
        retaking.hidden = false;
        (box.hidden ? fileInput : shoot).focus();
      });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(again);
    }
    if (extra) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(extra);
    }
  }

  function poll(li, url, started) {
    fetch(url, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.state !== "waiting") { show(li, s.state, s.message); return; }
        if (Date.now() - started > 120000) {
          show(li, "waiting", words.stillWaiting);
          return;
        }
        setTimeout(function () { poll(li, url, started); }, 1000);
      })
      .catch(function () { setTimeout(function () { poll(li, url, started); }, 3000); });
  }

  function send(blob, name, li) {
    var data = new FormData(form);
    data.set("file", blob, name);
    data.set("replaces", li.dataset.batch || "");
    show(li, "waiting", words.sending);
    fetch(box.dataset.photoUrl, {method: "POST", body: data, credentials: "same-origin",
                                 headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; }); })
      .then(function (res) {
        if (!res.ok) { show(li, "retake", res.j.error); return; }
        li.dataset.batch = res.j.batch;
        show(li, "waiting", words.reading);
        poll(li, res.j.status_url, Date.now());
      })
      .catch(function () {
        show(li, "retake", words.notSent);
      });
  }

  // A photo taken: judged here first; a poor one is not sent unless the teacher says so.
  function taken_photo(blob, name, measure) {
    var li = retakeItem || newItem();
    retakeItem = null;
    retaking.hidden = true;
    var bad = problem(measure);
    if (bad) {
      var anyway = document.createElement("button");
      anyway.type = "button";
      anyway.textContent = words.sendAnyway;
      anyway.addEventListener("click", function () { send(blob, name, li); });
      show(li, "retake", bad, anyway);
      return;
    }
    send(blob, name, li);
  }

  function stamp() { return "photo-" + Date.now() + "-" + (taken + 1); }

  shoot.addEventListener("click", function () {
    if (!video.videoWidth) { note.textContent = words.notReady; return; }
    var c = document.createElement("canvas");
    c.width = video.videoWidth;
    c.height = video.videoHeight;
    c.getContext("2d").drawImage(video, 0, 0);
    var measure = judge(c, c.width, c.height);
    var name = stamp() + ".jpg";
    c.toBlob(function (blob) { taken_photo(blob, name, measure); }, "image/jpeg", 0.92);
  });

  fileInput.required = false;
  document.getElementById("send-file").hidden = true;
  fileInput.addEventListener("change", function () {
    Array.prototype.forEach.call(fileInput.files, function (file) {
      var done = function (measure) { taken_photo(file, file.name || stamp() + ".jpg", measure); };
      if (!window.createImageBitmap) { done({paper: 255, sharp: Infinity}); return; }
      createImageBitmap(file)
        .then(function (bmp) { done(judge(bmp, bmp.width, bmp.height)); })
        .catch(function () { done({paper: 255, sharp: Infinity}); });  // HEIC: the server judges
    });
    fileInput.value = "";
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); });

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    navigator.mediaDevices.getUserMedia({audio: false, video: {
      facingMode: "environment", width: {ideal: 2560}, height: {ideal: 1920}}})
      .then(function (stream) {
        video.srcObject = stream;
        box.hidden = false;
        document.querySelector("label[for=photo-file]").textContent = words.chooseTaken;
      })
      .catch(function () {
        note.textContent = words.noCamera;
      });
  }
}());
