// "Copy the address" beside a read-only field (the calendar feed page): one tap on a phone, where
// selecting a long address by hand is hard. The button stays hidden where this cannot run.
(function () {
  "use strict";

  function copied(button, text) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) { status.textContent = text; }
  }

  function setUp(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  // The feeds are swapped in by htmx when a new address is made.
  document.addEventListener("htmx:afterSettle", function (event) { setUp(event.target); });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    var done = function () { copied(button, "Copied: paste it into your calendar app."); };
    var fallback = function () {
      field.select();
      try {
        document.execCommand("copy") ? done() : copied(button, "Select the address and copy it.");
      } catch (error) {
        copied(button, "Select the address and copy it.");
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, fallback);
    } else {
      fallback();
    }
  });
})();
