// The batch page's live progress: poll the batch's progress every second while the worker books
// it, move the bar and the counts, and when it ends load the results section from the page and
// announce the outcome in the status region. Without this script the page has a Refresh link.
(function () {
  "use strict";
  var section = document.getElementById("batch-progress");
  if (!section || section.getAttribute("data-finished") === "true") {
    return;
  }
  var progressUrl = section.getAttribute("data-progress-url");
  var summaryUrl = section.getAttribute("data-summary-url");
  var bar = document.getElementById("batch-bar");
  var live = document.getElementById("batch-live");
  var failures = 0;

  function setText(id, value) {
    var element = document.getElementById(id);
    if (element) {
      element.textContent = String(value);
    }
  }

  function showCounts(progress) {
    setText("batch-status", progress.status);
    setText("rows-done", progress.rows_done);
    setText("rows-booked", progress.rows_booked);
    setText("rows-failed", progress.rows_failed);
    bar.textContent = progress.rows_done + " rows";
  }

  function showFinished(progress) {
    var total = Math.max(progress.rows_total || 0, 1);
    bar.setAttribute("max", String(total));
    bar.setAttribute("value", String(total));
    var note = document.getElementById("refresh-note");
    if (note) {
      note.remove();
    }
    section.setAttribute("data-finished", "true");
    var outcome = progress.status === "failed"
      ? "The batch failed: " + (progress.error || "it could not be completed") + "."
      : "The batch is finished: " + progress.rows_booked + " booked, " + progress.rows_failed + " failed.";
    // The results section is the server's own markup (the page's template, alone): no copy of
    // it here. Alone, because parsing the whole page would apply its nonce-less <style> copies.
    fetch(summaryUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var here = document.getElementById("batch-results");
        if (page.getElementById("batch-summary") && here) {
          here.replaceChildren.apply(here, Array.prototype.slice.call(page.body.childNodes).map(function (node) {
            return document.importNode(node, true);
          }));
        }
      })
      .catch(function () { /* the counts above are shown; Refresh shows the results */ })
      .then(function () { live.textContent = outcome; });
  }

  function poll() {
    fetch(progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("progress answered " + response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        failures = 0;
        showCounts(progress);
        if (progress.finished) {
          showFinished(progress);
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        failures += 1;
        if (failures >= 5) {
          live.textContent = "The progress could not be read: use Refresh to see how far the batch is.";
          return;
        }
        window.setTimeout(poll, 2000);
      });
  }

  window.setTimeout(poll, 1000);
})();
