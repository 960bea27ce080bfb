// New shipment form: checks the form as the user types (300 ms after the last keystroke) with
// POST /shipments/new/check, shows each field's message next to it, announces what changed in
// the page's live region, and refreshes the quote options. The form works without this file:
// "Get quotes" and "Book the shipment" post it and the page comes back with the same messages.
(function () {
  "use strict";
  var form = document.getElementById("new-shipment");
  if (!form) { return; }
  var status = document.getElementById("booking-status");
  var quotes = document.getElementById("quotes");
  var token = form.querySelector("input[name=csrf_token]").value;
  var touched = {};
  var timer = null;
  var sequence = 0;
  var lastQuotes = quotes.innerHTML;
  var SKIPPED = { csrf_token: true, idempotency_key: true, action: true };

  function values() {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (!SKIPPED[name] && typeof value === "string") { data[name] = value; }
    });
    return data;
  }

  function labelOf(id) {
    var label = form.querySelector("label[for='" + id + "']");
    var section = document.getElementById(id);
    var heading = section && section.closest("section") && section.closest("section").querySelector("h2");
    var text = label ? label.textContent.replace("(required)", "").trim() : id;
    return heading ? heading.textContent + " " + text.toLowerCase() : text;
  }

  function show(answer) {
    var messages = {};
    answer.errors.forEach(function (error) { messages[error.field] = error.message; });
    var news = [];
    form.querySelectorAll(".field-error[data-field]").forEach(function (slot) {
      var name = slot.getAttribute("data-field");
      var message = messages[name] || "";
      var shown = slot.textContent;
      // A message shows once its field was typed in; one already shown is updated or cleared.
      if (!touched[name] && !shown) { return; }
      if (message === shown) { return; }
      slot.textContent = message;
      var id = slot.id.replace(/-error$/, "");
      var input = document.getElementById(id);
      if (input) {
        if (message) { input.setAttribute("aria-invalid", "true"); }
        else { input.removeAttribute("aria-invalid"); }
      }
      news.push(labelOf(id) + ": " + (message || "corrected"));
    });
    if (answer.quotes_html !== lastQuotes) {
      quotes.innerHTML = answer.quotes_html;
      lastQuotes = answer.quotes_html;
      news.push(answer.quotes.length ? answer.quotes.length + " quote options to choose from" : "No quote options");
    }
    if (news.length) { status.textContent = news.join(". ") + "."; }
  }

  function check() {
    var mine = ++sequence;
    fetch("/shipments/new/check", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(values())
    }).then(function (response) {
      return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
    }).then(function (result) {
      if (mine !== sequence) { return; } // a later check is on its way
      if (!result.ok) { status.textContent = result.answer.error || "The form could not be checked."; return; }
      show(result.answer);
    }).catch(function () {
      if (mine === sequence) { status.textContent = "The form could not be checked: the connection failed."; }
    });
  }

  function changed(event) {
    var name = event.target && event.target.name;
    if (!name || SKIPPED[name]) { return; }
    touched[name] = true;
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, 300);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
})();
