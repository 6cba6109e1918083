// The desk calendar: destructive actions ask first; keyboard shortcuts; click an empty time to book.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });

  var SLOT_MINUTES = 15;
  var cal = document.querySelector(".cal[data-first-minute]");
  var dialog = document.getElementById("slot-dialog");
  var scroller = document.querySelector(".cal-scroll");

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName));
  }

  // Shortcuts: T today, left/P previous, right/N next, / find a patient (listed on the page).
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (dialog && dialog.open) { return; }
    var link = null;
    if (event.key === "t" || event.key === "T") { link = document.querySelector("a[data-key=today]"); }
    else if (event.key === "ArrowLeft" || event.key === "p" || event.key === "P") { link = document.querySelector("a[rel=prev]"); }
    else if (event.key === "ArrowRight" || event.key === "n" || event.key === "N") { link = document.querySelector("a[rel=next]"); }
    else if (event.key === "/") {
      var help = document.querySelector("[data-search-url]");
      if (help) { event.preventDefault(); window.location.assign(help.dataset.searchUrl); }
      return;
    }
    if (link) { event.preventDefault(); window.location.assign(link.href); }
  });

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The wall-clock time under the pointer, from the grid's first minute and its row height.
  function slotTime(grid, clientY) {
    var rows = parseInt(cal.dataset.rows, 10);
    var box = grid.getBoundingClientRect();
    var minutesPerPx = rows * 5 / box.height;
    var minute = parseInt(cal.dataset.firstMinute, 10) + (clientY - box.top) * minutesPerPx;
    minute = Math.floor(minute / SLOT_MINUTES) * SLOT_MINUTES;
    return pad(Math.floor(minute / 60)) + ":" + pad(minute % 60);
  }

  function openSlot(col, time) {
    var params = new URLSearchParams({practitioner: col.dataset.practitioner, date: col.dataset.date, time: time});
    var url = cal.dataset.slotUrl + "?" + params.toString();
    if (!dialog || !window.htmx || typeof dialog.showModal !== "function") { window.location.assign(url); return; }
    window.htmx.ajax("GET", url, {target: "#slot-dialog-body", swap: "innerHTML"}).then(function () {
      var input = document.getElementById("slot-q");
      if (input) { input.focus(); }
    });
    dialog.showModal();
  }

  if (cal) {
    cal.addEventListener("click", function (event) {
      var target = event.target;
      if (!target.classList.contains("cal-open") && !target.classList.contains("cal-grid")) { return; }
      var col = target.closest(".cal-col[data-practitioner]");
      if (!col) { return; }
      openSlot(col, slotTime(col.querySelector(".cal-grid"), event.clientY));
    });
    // Open the day at the working morning rather than at the top of the grid.
    var first = document.querySelector(".cal-col .cal-open, .cal-col .cal-appt");
    if (scroller && first && !window.location.hash) {
      var top = Math.min.apply(null, Array.prototype.map.call(
        document.querySelectorAll(".cal-col .cal-open"), function (el) { return el.offsetTop; }).concat([first.offsetTop]));
      var head = scroller.querySelector(".cal-head");
      scroller.scrollTop = Math.max(0, top - (head ? head.offsetHeight : 0) - 8);
    }
  }

  // A refused booking answers 400 with the reason: show it in the dialog rather than drop it.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400 && dialog && dialog.contains(event.detail.target)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
}());
