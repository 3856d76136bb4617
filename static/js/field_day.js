// The field-day form's photos travel light. Each photo picked is made smaller on the
// phone (longest side 1600 px, JPEG at 80 %) with its EXIF block copied in, so the
// server still reads the capture time (and GPS, when the phone left it); the phone's
// own location is taken when the photo is added and sent with it; the form goes by
// XMLHttpRequest with a progress bar; after a form error the page keeps the photos and
// sends them again with the corrected form. When an outbox (window.Outbox) is on the
// page, the send goes through it. Without this script the form posts the picked files.
(function () {
  "use strict";
  var MAX_EDGE = 1600;
  var QUALITY = 0.8;
  var THUMB_EDGE = 96;
  var EXIF_SCAN = 256 * 1024; // the EXIF block is near the start; never read a whole photo for it
  var LOCATE_WAIT = 20000; // ms: a location prompt left unanswered must not hold the form up

  if (!window.FormData || !window.XMLHttpRequest || !window.Promise || !window.DOMParser) { return; }
  var first = document.getElementById("field-day-form");
  if (!first || !document.getElementById("photo-labels")) { return; }

  var picks = []; // {name, before, blob, thumb, gps, position (undefined while asked), ready}
  var line = Promise.resolve(); // one photo decoded at a time: a 12-megapixel bitmap is ~48 MB
  var form = null;
  var busy = false;

  function labels() { return document.getElementById("photo-labels").dataset; }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) { return key in values ? values[key] : whole; });
  }
  function megabytes(size) {
    return size >= 1024 * 1024 ? (size / 1024 / 1024).toFixed(1) + " MB" : Math.max(1, Math.round(size / 1024)) + " KB";
  }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function bytesOf(blob) {
    if (blob.arrayBuffer) { return blob.arrayBuffer(); }
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = reject;
      reader.readAsArrayBuffer(blob);
    });
  }
  function isJpeg(file) { return /^image\/jpe?g$/i.test(file.type) || /\.jpe?g$/i.test(file.name); }
  function jpegName(name) { return /\.jpe?g$/i.test(name) ? name : name.replace(/\.[^.]*$/, "") + ".jpg"; }

  // --- Making a photo smaller --------------------------------------------------

  function decode(file) {
    function viaImage() {
      return new Promise(function (resolve, reject) {
        var reader = new FileReader();
        reader.onerror = reject;
        reader.onload = function () {
          var image = new Image(); // a data: URL: the page's CSP allows those for images
          image.onload = function () { resolve(image); };
          image.onerror = reject;
          image.src = reader.result;
        };
        reader.readAsDataURL(file);
      });
    }
    if (!window.createImageBitmap) { return viaImage(); }
    // The picture turned upright by its EXIF orientation: the EXIF copied says 1.
    return createImageBitmap(file, { imageOrientation: "from-image" }).catch(viaImage);
  }

  function toBlob(canvas) {
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (blob) { return blob ? resolve(blob) : reject(new Error("toBlob")); }, "image/jpeg", QUALITY);
    });
  }

  function thumbnail(source, width, height) {
    var scale = Math.min(1, THUMB_EDGE / Math.max(width, height));
    var canvas = element("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    canvas.getContext("2d").drawImage(source, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", 0.7);
  }

  function compress(file) {
    var kept = { blob: file, name: file.name, thumb: "", gps: false };
    return decode(file).then(function (image) {
      var width = image.naturalWidth || image.width;
      var height = image.naturalHeight || image.height;
      var scale = Math.min(1, MAX_EDGE / Math.max(width, height));
      var canvas = element("canvas");
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      var context = canvas.getContext("2d");
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = "high";
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) { image.close(); }
      kept.thumb = thumbnail(canvas, canvas.width, canvas.height);
      return Promise.all([toBlob(canvas), exifOf(file, canvas.width, canvas.height)]).then(function (made) {
        var exif = made[1];
        kept.gps = Boolean(exif && exif.gps);
        return withExif(made[0], exif && exif.bytes);
      }).then(function (smaller) {
        // A JPEG already within 1600 px goes as it is when re-encoding would not make it
        // smaller (the server turns it upright by its own EXIF).
        if (!(isJpeg(file) && scale === 1 && file.size <= smaller.size)) {
          kept.blob = smaller;
          kept.name = jpegName(file.name);
        }
        return kept;
      });
    }).catch(function () {
      return kept; // not a picture this browser decodes (HEIC on some phones): the server decides
    });
  }

  // The original's EXIF (APP1) block, with its Orientation set to 1 and its pixel
  // dimensions to the new ones; null when there is none or it does not read.
  function exifOf(file, width, height) {
    if (!isJpeg(file)) { return Promise.resolve(null); }
    return bytesOf(file.slice(0, EXIF_SCAN)).then(function (buffer) {
      var found = findExif(new DataView(buffer));
      if (!found) { return null; }
      var bytes = new Uint8Array(buffer.slice(found.start, found.end));
      var gps = fixExif(new DataView(bytes.buffer), width, height);
      return { bytes: bytes, gps: gps };
    }).catch(function () { return null; });
  }

  function findExif(view) {
    if (view.byteLength < 4 || view.getUint16(0) !== 0xFFD8) { return null; }
    var offset = 2;
    while (offset + 10 <= view.byteLength) {
      var marker = view.getUint16(offset);
      if (marker === 0xFFFF) { offset += 1; continue; } // a fill byte
      if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA || marker === 0xFFD9) { return null; }
      var end = offset + 2 + view.getUint16(offset + 2);
      if (marker === 0xFFE1 && end <= view.byteLength &&
          view.getUint32(offset + 4) === 0x45786966 && view.getUint16(offset + 8) === 0) { // "Exif\0\0"
        return { start: offset, end: end };
      }
      offset = end;
    }
    return null;
  }

  function fixExif(view, width, height) {
    var tiff = 10; // marker, length, "Exif\0\0"
    var little = view.getUint16(tiff) === 0x4949;
    var gps = false;
    var exifIfd = 0;
    entries(view, tiff, view.getUint32(tiff + 4, little), little, function (tag, at) {
      if (tag === 0x0112) { setNumber(view, at, little, 1); }
      if (tag === 0x8825) { gps = true; }
      if (tag === 0x8769) { exifIfd = view.getUint32(at + 8, little); }
    });
    if (exifIfd) {
      entries(view, tiff, exifIfd, little, function (tag, at) {
        if (tag === 0xA002) { setNumber(view, at, little, width); }
        if (tag === 0xA003) { setNumber(view, at, little, height); }
      });
    }
    return gps;
  }

  function entries(view, tiff, ifd, little, visit) {
    var start = tiff + ifd;
    if (start + 2 > view.byteLength) { return; }
    var count = view.getUint16(start, little);
    for (var i = 0; i < count; i += 1) {
      var at = start + 2 + 12 * i;
      if (at + 12 > view.byteLength) { return; }
      visit(view.getUint16(at, little), at);
    }
  }

  function setNumber(view, at, little, value) {
    var type = view.getUint16(at + 2, little);
    if (type === 3) { view.setUint16(at + 8, value, little); }
    if (type === 4) { view.setUint32(at + 8, value, little); }
  }

  function withExif(jpeg, exif) {
    if (!exif) { return Promise.resolve(jpeg); }
    return bytesOf(jpeg.slice(0, 64)).then(function (head) {
      var view = new DataView(head);
      var at = 2; // after the start-of-image marker, and after the canvas's JFIF block if any
      if (view.getUint16(2) === 0xFFE0) { at = 4 + view.getUint16(4); }
      return new Blob([jpeg.slice(0, at), exif, jpeg.slice(at)], { type: "image/jpeg" });
    });
  }

  // --- The phone's location -----------------------------------------------------

  function locate() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      var timer = window.setTimeout(function () { resolve(null); }, LOCATE_WAIT);
      navigator.geolocation.getCurrentPosition(function (found) {
        window.clearTimeout(timer);
        resolve({ latitude: found.coords.latitude, longitude: found.coords.longitude, accuracy: found.coords.accuracy });
      }, function () {
        window.clearTimeout(timer);
        resolve(null);
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
    });
  }

  // --- The list of photos ---------------------------------------------------------

  function take(files) {
    if (!files || !files.length) { return; }
    var located = locate(); // one location for the photos picked together
    Array.prototype.forEach.call(files, function (file) {
      var pick = { name: file.name, before: file.size, blob: null, thumb: "", gps: false, position: undefined };
      var made = line.then(function () { return compress(file); });
      line = made;
      pick.ready = Promise.all([
        made.then(function (out) {
          pick.blob = out.blob;
          pick.name = out.name;
          pick.thumb = out.thumb;
          pick.gps = out.gps;
          render();
        }),
        located.then(function (position) { pick.position = position; render(); })
      ]);
      picks.push(pick);
    });
    render();
  }

  function hidden(name, value) {
    var input = element("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }

  function placeOf(pick, text) {
    if (pick.position === undefined) { return text.locating; }
    var place = [];
    if (pick.gps) { place.push(text.exifGps); }
    if (pick.position) { place.push(fill(text.device, { metres: Math.ceil(pick.position.accuracy) })); }
    return place.length ? place.join(" · ") : text.noPlace;
  }

  function render() {
    if (!form) { return; }
    var text = labels();
    var list = form.querySelector("#photo-picks");
    list.replaceChildren();
    picks.forEach(function (pick, index) {
      var item = element("li", "photo-pick");
      var image = element("img", "pick-thumb");
      image.alt = "";
      if (pick.thumb) { image.src = pick.thumb; }
      item.appendChild(image);
      var facts = element("div", "pick-facts");
      facts.appendChild(element("span", "pick-name", pick.name));
      facts.appendChild(element("span", "pick-size",
        megabytes(pick.before) + " → " + (pick.blob ? megabytes(pick.blob.size) : text.compressing)));
      facts.appendChild(element("span", "pick-place muted", placeOf(pick, text)));
      item.appendChild(facts);
      var remove = element("button", "btn pick-remove", text.remove);
      remove.type = "button";
      remove.addEventListener("click", function () {
        if (busy) { return; }
        picks.splice(index, 1);
        render();
      });
      item.appendChild(remove);
      var position = pick.position || null;
      item.appendChild(hidden("device_latitude", position ? position.latitude.toFixed(6) : ""));
      item.appendChild(hidden("device_longitude", position ? position.longitude.toFixed(6) : ""));
      item.appendChild(hidden("device_accuracy_m", position ? String(position.accuracy) : ""));
      list.appendChild(item);
    });
    list.hidden = picks.length === 0;
    form.querySelector("#photo-count").textContent = picks.length ? text.count + ": " + picks.length : "";
    form.querySelector("#add-photo").textContent = picks.length ? text.another : text.first;
  }

  // --- Sending ------------------------------------------------------------------

  function status(message, percent, tone) {
    var box = form.querySelector("#upload-status");
    var bar = form.querySelector("#upload-progress");
    box.hidden = !message;
    bar.hidden = percent === null;
    if (percent !== null) { bar.value = percent; }
    var label = form.querySelector("#upload-label");
    label.textContent = message || "";
    label.className = tone ? "small " + tone : "small";
  }

  function setBusy(value) {
    busy = value;
    form.querySelectorAll("button").forEach(function (button) { button.disabled = value; });
  }

  function progress(loaded, total) {
    if (loaded && typeof loaded === "object") { total = loaded.total; loaded = loaded.loaded; }
    if (!total) { return; }
    var percent = Math.min(100, Math.round(loaded / total * 100));
    var text = labels();
    var line = fill(text.uploading, { sent: megabytes(loaded), total: megabytes(total) }) + " " + percent + "%";
    status(loaded >= total ? text.saving : line, percent);
  }

  function viaXhr(data, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      // The view answers a filed day with where to go (JSON) instead of a redirect
      // the request would follow itself, taking the success message with it.
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { onProgress(event.loaded, event.total); }
      });
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { reject(new Error("network")); };
      xhr.send(data);
    });
  }

  // Sent by this script (upload progress, the form's errors swapped in with the photos
  // kept). With no signal the form, photos and its submission key go to the outbox
  // (static/js/outbox.js), which sends them when the signal returns; the key makes sure
  // the day is filed once however often it is sent.
  function send(data) {
    var outbox = window.Outbox && typeof window.Outbox.queue === "function" ? window.Outbox : null;
    if (outbox && navigator.onLine === false) {
      return outbox.queue(form, data).then(function () { return null; });
    }
    return viaXhr(data, progress).catch(function (error) {
      if (!outbox) { throw error; }
      return outbox.queue(form, data).then(function () { return null; });
    });
  }

  function headerOf(answer, name) {
    if (answer.getResponseHeader) { return answer.getResponseHeader(name) || ""; }
    return (answer.headers && answer.headers.get && answer.headers.get(name)) || "";
  }

  function bodyOf(answer) {
    if (typeof answer.text === "function") { return answer.text(); }
    return Promise.resolve(answer.responseText || "");
  }

  // The answer: this script's XMLHttpRequest, or what Outbox.submit resolved with (an
  // XMLHttpRequest or a fetch Response; nothing when it queued the form for later).
  function handle(answer) {
    if (!answer || typeof answer.status !== "number") {
      setBusy(false);
      status(labels().queued, null);
      return undefined;
    }
    var type = headerOf(answer, "Content-Type");
    return bodyOf(answer).then(function (body) {
      if (answer.status === 200 && type.indexOf("application/json") === 0) {
        var where = JSON.parse(body).location;
        if (where) { window.location.assign(where); return; }
      }
      if (answer.status === 200 && type.indexOf("text/html") === 0 && showErrors(body)) { return; }
      failed();
    });
  }

  // The form page again, with its errors: swap it in and keep the photos.
  function showErrors(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = page.querySelector("main");
    if (!main || !main.querySelector("#field-day-form")) { return false; }
    var here = document.querySelector("main");
    here.replaceChildren.apply(here, Array.prototype.map.call(main.childNodes, function (node) {
      return document.importNode(node, true);
    }));
    busy = false;
    attach(here.querySelector("#field-day-form"));
    status(labels().kept, null);
    var problem = here.querySelector(".has-error, .errors, .messages");
    if (problem) { problem.scrollIntoView({ block: "start" }); }
    return true;
  }

  function failed() {
    setBusy(false);
    status(labels().failed, null, "warn");
  }

  function submit(event) {
    event.preventDefault();
    if (busy) { return; }
    setBusy(true);
    status(labels().preparing, 0);
    Promise.all(picks.map(function (pick) { return pick.ready; })).then(function () {
      render(); // every location is in its hidden fields now
      var data = new FormData(form);
      data.delete("photos");
      picks.forEach(function (pick) { data.append("photos", pick.blob, pick.name); });
      return send(data);
    }).then(handle).catch(failed);
  }

  function attach(target) {
    form = target;
    var input = form.querySelector("#photos input[type=file]");
    var add = form.querySelector("#add-photo");
    form.querySelector("#photo-note").textContent = labels().note;
    input.addEventListener("change", function () {
      take(input.files);
      input.value = ""; // the page holds the photos now; the same input takes the next one
    });
    // The page's list shows the photos; the input, emptied after each pick, would say "none".
    input.hidden = true;
    add.hidden = false;
    add.addEventListener("click", function () { input.click(); });
    form.addEventListener("submit", submit);
    render();
  }

  attach(first);
}());
