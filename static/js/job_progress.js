// Keeps a background job's progress current: while the job runs, fetch its status
// fragment (the {% partialdef job-status %} of templates/jobs/job.html) and swap it in.
(function () {
  "use strict";
  var INTERVAL = 1500;

  function schedule(delay) {
    var box = document.getElementById("job-status");
    if (!box || !box.dataset.running) { return; }
    window.setTimeout(function () { refresh(box); }, delay);
  }

  function refresh(box) {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        box.outerHTML = html;
        schedule(INTERVAL);
      })
      .catch(function () { schedule(INTERVAL * 4); });  // a dropped connection: try again later
  }

  schedule(INTERVAL);
}());
