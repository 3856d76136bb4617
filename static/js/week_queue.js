// The weekly queue: a decision is sent in place and its row replaced by the answer
// (the template partial classification/week.html#queue-row), so the branch head keeps
// their place in a long queue. Without this script the forms post and reload as before.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-queue-row]")) return;
    event.preventDefault();
    var row = form.closest("tr");
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Queue-Row": "1" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.text().then(function (html) {
          if (!html.trim().startsWith("<tr")) throw new Error("unexpected answer");
          var holder = document.createElement("tbody");
          holder.innerHTML = html.trim();
          var fresh = holder.firstElementChild;
          row.replaceWith(fresh);
          fresh.classList.add(response.ok ? "row-saved" : "row-refused");
          var focus = fresh.querySelector(response.ok ? "a" : "[role=alert] + select, input[name=reason]");
          if (focus) focus.focus();
        });
      })
      .catch(function () {
        // The network failed or the answer was not a row: post the ordinary way.
        form.removeAttribute("data-queue-row");
        form.submit();
      });
  });
})();
