// Series pages: small helps on top of forms that work without script.
(function () {
  "use strict";
  // Book a series: a changed date or time marks its row until the desk re-checks.
  document.querySelectorAll(".series-proposals tbody tr").forEach(function (row) {
    row.querySelectorAll("input").forEach(function (input) {
      input.addEventListener("change", function () {
        row.classList.add("changed");
        var check = row.querySelector(".proposal-check");
        if (check) { check.textContent = check.dataset.pending; }
      });
    });
  });
  // Move: show only the window that applies to the "shift later sessions" choice.
  var shift = document.querySelector(".move-form input[name='shift_later']");
  var keep = document.querySelector("[data-window='keep']");
  var shifted = document.querySelector("[data-window='shift']");
  function sync() {
    if (!shift || !keep || !shifted) { return; }
    keep.classList.toggle("is-hidden", shift.checked);
    shifted.classList.toggle("is-hidden", !shift.checked);
  }
  if (shift) { shift.addEventListener("change", sync); sync(); }
})();
