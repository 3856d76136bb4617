// The field-day form's photos: on a phone a camera input takes one picture at a time,
// so "add another photo" gives a fresh camera input (all share the name "photos"),
// and a line counts the photos chosen so far.
(function () {
  "use strict";
  var add = document.getElementById("add-photo");
  var field = document.querySelector("#photos .field[data-field=photos]");
  var count = document.getElementById("photo-count");
  if (!add || !field) { return; }
  var script = document.currentScript || document.querySelector("script[data-count-label]");
  var label = script ? script.getAttribute("data-count-label") : "";

  function inputs() { return field.querySelectorAll("input[type=file]"); }

  function recount() {
    var n = 0;
    inputs().forEach(function (input) { n += input.files ? input.files.length : 0; });
    count.textContent = n ? label + ": " + n : "";
  }

  add.hidden = false;
  field.addEventListener("change", recount);
  add.addEventListener("click", function () {
    var all = inputs();
    var last = all[all.length - 1];
    var input = all[0].cloneNode(false);
    input.removeAttribute("id");
    input.value = "";
    last.insertAdjacentElement("afterend", input);
    input.click();
  });
}());
