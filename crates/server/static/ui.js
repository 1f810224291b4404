// Behaviour every page shares, kept out of the markup so the Content-Security-Policy can forbid
// inline scripts: a confirmation before a form with data-confirm is sent (or a button with
// data-confirm is pressed), data-print buttons, and data-random-hex buttons (fill a field with 32
// random bytes from the browser's own generator).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("click", function (event) {
    var random = event.target.closest ? event.target.closest("[data-random-hex]") : null;
    if (random) {
      // 32 bytes from this browser's own generator, as 64 hex digits, into the named field.
      var bytes = new Uint8Array(32);
      window.crypto.getRandomValues(bytes);
      var hex = "";
      for (var i = 0; i < bytes.length; i++) {
        hex += ("0" + bytes[i].toString(16)).slice(-2);
      }
      var field = document.getElementById(random.getAttribute("data-random-hex"));
      if (field) {
        field.value = hex;
      }
      return;
    }
    var target = event.target.closest ? event.target.closest("button[data-confirm], [data-print]") : null;
    if (!target) {
      return;
    }
    if (target.hasAttribute("data-print")) {
      window.print();
      return;
    }
    if (!window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }, true);
})();
