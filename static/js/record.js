// The session record form: add site / adverse-event rows, and show the total volume as it is
// typed. The server computes and stores the real total; this is a convenience only.
(function () {
  "use strict";
  var form = document.getElementById("record-form");
  if (!form) return;

  function addRow(prefix) {
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var rows = form.querySelector('.js-rows[data-prefix="' + prefix + '"]');
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = rows.lastElementChild;
    var legend = added.querySelector("legend");
    if (legend) legend.textContent = legend.textContent.trim() + " " + (index + 1);
    var first = added.querySelector("input, select");
    if (first) first.focus();
  }

  function updateTotal() {
    var sum = 0;
    form.querySelectorAll(".site-row").forEach(function (row) {
      if (row.closest("template")) return;
      var removed = row.querySelector('input[name$="-DELETE"]');
      var volume = row.querySelector(".js-volume");
      if (!volume || (removed && removed.checked)) return;
      var value = parseFloat(volume.value);
      if (!isNaN(value) && value > 0) sum += value;
    });
    var out = document.getElementById("total-volume");
    if (out) out.textContent = (Math.round(sum * 10) / 10).toString();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest(".js-add-row");
    if (!button) return;
    addRow(button.dataset.prefix);
    updateTotal();
  });
  form.addEventListener("input", updateTotal);
  form.addEventListener("change", updateTotal);
  updateTotal();
})();
