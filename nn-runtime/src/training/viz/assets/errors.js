// Every script error and unhandled rejection, written into <pre id="nn-errors"> (kept until the
// element exists).
(function () {
  "use strict";
  var pending = [];
  function show(message) {
    var pre = document.getElementById("nn-errors");
    if (!pre) {
      pending.push(message);
      return;
    }
    while (pending.length) pre.textContent += pending.shift() + "\n";
    pre.textContent += message + "\n";
    pre.hidden = false;
  }
  window.onerror = function (message, source, line, column) {
    show("error: " + message + " (line " + line + ", column " + column + ")");
  };
  window.addEventListener("unhandledrejection", function (event) {
    var reason = event.reason;
    show("unhandled rejection: " + (reason && reason.message ? reason.message : reason));
  });
  window.nnShowError = show;
})();
