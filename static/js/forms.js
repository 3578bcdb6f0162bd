// GOV.UK's error summary (templates/includes/error_summary.html): after a failed submit, focus moves to
// the summary so that a screen reader reads it and a keyboard starts there; each link focuses its field.
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary && !summary.hasAttribute("data-focused")) {
      summary.setAttribute("data-focused", "");
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });
  // A form re-rendered by htmx with its errors.
  document.addEventListener("htmx:afterSettle", function (event) { focusSummary(event.target); });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    // The field's label (or its group's legend) is scrolled into view with it, as GOV.UK does.
    var context = field.closest("fieldset") || field;
    context.scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
