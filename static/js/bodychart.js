// The body chart on the session record: a click (or Enter on a focused region) adds a site row
// with the region, side and point filled in; each placed row is drawn as a numbered dot. The rows
// stay the record: the server checks the point again (treatments/clinical/bodychart.py).
(function () {
  "use strict";
  var svg = document.querySelector(".js-body-chart");
  var form = document.getElementById("record-form");
  if (!svg || !form) return;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var FIGURE_WIDTH = 120, GAP = 20;
  var marks = svg.querySelector(".js-chart-marks");
  var status = document.getElementById("body-chart-status");

  function liveRows() {
    return Array.prototype.filter.call(form.querySelectorAll(".site-row"), function (row) {
      return !row.closest("template");
    });
  }

  function field(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }

  function redraw() {
    while (marks.firstChild) marks.removeChild(marks.firstChild);
    liveRows().forEach(function (row, index) {
      var view = field(row, "chart_view"), x = field(row, "chart_x"), y = field(row, "chart_y");
      var removed = field(row, "DELETE");
      if (!view || !view.value || (removed && removed.checked)) return;
      var cx = parseInt(x.value, 10) + (view.value === "back" ? FIGURE_WIDTH + GAP : 0);
      var cy = parseInt(y.value, 10);
      var g = document.createElementNS(SVG_NS, "g");
      g.setAttribute("class", "bc-mark bc-s1");
      var dot = document.createElementNS(SVG_NS, "circle");
      dot.setAttribute("cx", cx); dot.setAttribute("cy", cy); dot.setAttribute("r", "4");
      var label = document.createElementNS(SVG_NS, "text");
      label.setAttribute("x", cx); label.setAttribute("y", cy + 2);
      label.textContent = String(index + 1);
      g.appendChild(dot); g.appendChild(label);
      marks.appendChild(g);
    });
  }

  function place(region, x, y) {
    var button = form.querySelector('.js-add-row[data-prefix="sites"]');
    var rows = liveRows();
    // Fill an untouched empty row (the blank ones a new record starts with) before adding one.
    var target = null;
    rows.forEach(function (row) {
      if (!target && !field(row, "region").value && !field(row, "chart_view").value) target = row;
    });
    if (!target) {
      button.click();
      rows = liveRows();
      target = rows[rows.length - 1];
    }
    field(target, "region").value = region.dataset.region;
    field(target, "side").value = region.dataset.side;
    field(target, "chart_view").value = region.dataset.view;
    field(target, "chart_x").value = String(Math.round(x));
    field(target, "chart_y").value = String(Math.round(y));
    var note = target.querySelector(".js-chart-note");
    note.hidden = false;
    note.querySelector(".js-chart-where").textContent = region.dataset.view;
    redraw();
    var number = liveRows().indexOf(target) + 1;
    status.textContent = "Site " + number + ": " + region.getAttribute("aria-label") + ".";
    var next = field(target, "structure");
    if (next) next.focus();
  }

  svg.addEventListener("click", function (event) {
    var region = event.target.closest(".bc-region");
    if (!region) return;
    var point = svg.createSVGPoint();
    point.x = event.clientX; point.y = event.clientY;
    var local = point.matrixTransform(svg.getScreenCTM().inverse());
    var x = local.x - (region.dataset.view === "back" ? FIGURE_WIDTH + GAP : 0);
    place(region, x, local.y);
  });

  svg.addEventListener("keydown", function (event) {
    var region = event.target.closest(".bc-region");
    if (!region || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    place(region, parseFloat(region.dataset.cx), parseFloat(region.dataset.cy));
  });

  form.addEventListener("click", function (event) {
    var clear = event.target.closest(".js-chart-clear");
    if (!clear) return;
    var row = clear.closest(".site-row");
    ["chart_view", "chart_x", "chart_y"].forEach(function (name) { field(row, name).value = ""; });
    clear.closest(".js-chart-note").hidden = true;
    redraw();
  });
  form.addEventListener("change", redraw);
  redraw();
})();
