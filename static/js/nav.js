// The desktop menu's groups (<details class="navgroup">): one open at a time, closed by a
// click elsewhere or Escape. Without this script they still open and close on their own.
(function () {
  "use strict";
  function groups() {
    return document.querySelectorAll("details.navgroup[open]");
  }
  function closeAll(except) {
    groups().forEach(function (group) {
      if (group !== except) group.removeAttribute("open");
    });
  }
  document.addEventListener("toggle", function (event) {
    var target = event.target;
    if (target.matches && target.matches("details.navgroup") && target.open) closeAll(target);
  }, true);
  document.addEventListener("click", function (event) {
    if (!event.target.closest("details.navgroup")) closeAll(null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeAll(null);
  });
})();
