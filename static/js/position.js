// "Record the current position" on the survey form: the phone's own position (with its
// accuracy and time) into the form's hidden inputs; the server keeps it with the survey.
(function () {
  "use strict";
  var box = document.getElementById("position");
  var button = document.getElementById("record-position");
  if (!box || !button) { return; }
  var status = box.querySelector(".position-status");
  var input = function (name) { return box.querySelector("input[name='" + name + "']"); };

  function say(text, muted) {
    status.textContent = "";
    var span = document.createElement("span");
    span.textContent = text;
    if (muted) { span.className = "muted"; }
    status.appendChild(span);
  }

  button.addEventListener("click", function () {
    if (!navigator.geolocation) { say(box.dataset.unsupported, true); return; }
    button.disabled = true;
    say(box.dataset.waiting, true);
    navigator.geolocation.getCurrentPosition(
      function (found) {
        var c = found.coords;
        // Six decimals (about 0.1 m): what the database keeps.
        input("latitude").value = c.latitude.toFixed(6);
        input("longitude").value = c.longitude.toFixed(6);
        input("position_accuracy").value = String(Math.round(c.accuracy));
        input("located_at").value = new Date(found.timestamp || Date.now()).toISOString();
        say(box.dataset.recorded + " " + c.latitude.toFixed(6) + ", " + c.longitude.toFixed(6) +
            " " + box.dataset.accuracy.replace("%(metres)s", String(Math.round(c.accuracy))));
        button.disabled = false;
      },
      function () {
        say(box.dataset.refused, true);
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  });
})();
