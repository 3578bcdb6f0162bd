// What an action did, for keyboard and screen-reader users. htmx focuses the result of an action it
// swapped in (the message, marked autofocus and tabindex="-1"), so Tab carries on from there rather
// than from the top of the page; this reads the result out through the page's polite live region
// (#announcer in base.html), which exists before the swap: a region inserted with the new content
// is not reliably announced. An error is an alert of its own and is not read twice.
(function () {
  "use strict";

  var timer = null;

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region || !text) { return; }
    // Emptied first, then filled: the same words twice in a row are still announced.
    region.textContent = "";
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { region.textContent = text; }, 100);
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.target;
    if (!root || !root.querySelector) { return; }
    var result = root.matches("[autofocus]") ? root : root.querySelector("[autofocus]");
    if (!result || result.getAttribute("role") === "alert") { return; }
    announce(result.textContent.replace(/\s+/g, " ").trim());
  });
})();
