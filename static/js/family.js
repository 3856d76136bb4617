// Adds and removes family-member rows of the household collection form (Django formset).
(function () {
  "use strict";
  var add = document.getElementById("add-member");
  var template = document.getElementById("member-template");
  if (!add || !template) { return; }
  var rows = document.querySelector("#members .member-rows");
  var total = document.getElementById("id_members-TOTAL_FORMS");

  add.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    // Rows are numbered as the server's messages name them ("第 3 行"): the form's index + 1.
    var html = template.innerHTML.replace(/__prefix__/g, String(index))
      .replace(/__number__/g, String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = rows.lastElementChild.querySelector("input");
    if (first) { first.focus(); }
  });

  // Only rows added in this page (not yet saved) can be removed outright; saved
  // rows are removed with their "delete" box so the change is kept in history.
  rows.addEventListener("click", function (event) {
    if (!event.target.classList.contains("remove-member")) { return; }
    var row = event.target.closest(".member-row");
    var inputs = row.querySelectorAll("input, select");
    inputs.forEach(function (input) {
      if (input.type === "checkbox") { input.checked = false; } else { input.value = ""; }
    });
    row.hidden = true;
  });
}());
