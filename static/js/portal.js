// Small helpers for the public and portal pages (the CSP allows no inline script).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Red-flag answers: when one is ticked, say right away that the clinic must be called.
  var flags = document.querySelectorAll("input[name='red_flags']");
  var hint = document.getElementById("red-flag-hint");
  if (flags.length && hint) {
    var update = function () {
      var any = Array.prototype.some.call(flags, function (f) { return f.checked; });
      hint.hidden = !any;
    };
    flags.forEach(function (f) { f.addEventListener("change", update); });
    update();
  }
});
