// The desk calendar: destructive actions ask first; keyboard shortcuts; click an empty time to
// book; drag a card to another time or practitioner (or focus it and press M) to move it, after
// seeing what the move does to the series' spacing and who takes it.
(function () {
  "use strict";
  // The cards' buttons submit the page's one form (#cal-actions), which stays when the grid is
  // refreshed; a button with data-confirm asks first.
  var actions = document.getElementById("cal-actions");
  if (actions) {
    actions.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  }

  var SLOT_MINUTES = 15;
  function calEl() { return document.querySelector(".cal[data-first-minute]"); }
  var cal = calEl();
  var dialog = document.getElementById("slot-dialog");
  var moveDialog = document.getElementById("move-dialog");
  var scroller = document.querySelector(".cal-scroll");

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName));
  }

  // Shortcuts: T today, left/P previous, right/N next, / find a patient (listed on the page).
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if ((dialog && dialog.open) || (moveDialog && moveDialog.open)) { return; }
    if (event.key === "m" || event.key === "M") {
      var card = event.target.closest && event.target.closest(".cal-appt[draggable=true]");
      if (card) { event.preventDefault(); openMove(card, null); }
      return;
    }
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

  // The wall-clock time at a height of the grid, from its first minute and its row height.
  function slotTime(grid, clientY, step) {
    var rows = parseInt(calEl().dataset.rows, 10);
    var box = grid.getBoundingClientRect();
    var minutesPerPx = rows * 5 / box.height;
    var minute = parseInt(calEl().dataset.firstMinute, 10) + (clientY - box.top) * minutesPerPx;
    minute = Math.max(0, Math.min(24 * 60 - step, Math.round(minute / step) * step));
    return pad(Math.floor(minute / 60)) + ":" + pad(minute % 60);
  }

  // The view a booking or a move goes back to: the day, or the week of every practitioner.
  function back() { return calEl().dataset.back || ""; }

  function openMove(card, where) {
    var url = calEl().dataset.moveUrl.replace("/0/", "/" + card.id.slice(5) + "/");
    var params = new URLSearchParams(where || {});
    if (back()) { params.set("back", back()); }
    if (params.toString()) { url += "?" + params.toString(); }
    if (!moveDialog || !window.htmx || typeof moveDialog.showModal !== "function") { window.location.assign(url); return; }
    window.htmx.ajax("GET", url, {target: "#move-dialog-body", swap: "innerHTML"}).then(function () {
      // Its forms answer through htmx before the desk can type: Enter must not leave the page.
      window.htmx.process(moveDialog);
      var focus = moveDialog.querySelector("[data-move-confirm]") || document.getElementById("move-time");
      if (focus) { focus.focus(); }
    });
    moveDialog.showModal();
  }

  function openSlot(col, time) {
    var params = new URLSearchParams({practitioner: col.dataset.practitioner, date: col.dataset.date, time: time});
    if (back()) { params.set("back", back()); }
    var url = calEl().dataset.slotUrl + "?" + params.toString();
    if (!dialog || !window.htmx || typeof dialog.showModal !== "function") { window.location.assign(url); return; }
    window.htmx.ajax("GET", url, {target: "#slot-dialog-body", swap: "innerHTML"}).then(function () {
      window.htmx.process(dialog);
      var input = document.getElementById("slot-q");
      if (input) { input.focus(); }
    });
    dialog.showModal();
  }

  // Cards that may move (they carry a Move link) can be dragged to another time or day.
  function markDraggable() {
    calEl().querySelectorAll(".cal-appt").forEach(function (card) {
      if (card.querySelector("a[href$='/move/']")) { card.setAttribute("draggable", "true"); }
    });
  }

  // Listeners sit on the scroll box, which stays when the grid inside it is refreshed.
  if (cal && scroller) {
    scroller.addEventListener("click", function (event) {
      var target = event.target;
      if (!target.classList.contains("cal-open") && !target.classList.contains("cal-grid")) { return; }
      var col = target.closest(".cal-col[data-practitioner]");
      if (!col) { return; }
      openSlot(col, slotTime(col.querySelector(".cal-grid"), event.clientY, SLOT_MINUTES));
    });

    var grab = 0;
    var dragged = null;
    markDraggable();
    scroller.addEventListener("dragstart", function (event) {
      dragged = event.target.closest && event.target.closest(".cal-appt[draggable=true]");
      if (!dragged) { return; }
      grab = event.clientY - dragged.getBoundingClientRect().top;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.id);
    });
    scroller.addEventListener("dragover", function (event) {
      if (dragged && event.target.closest(".cal-col .cal-grid")) { event.preventDefault(); }
    });
    scroller.addEventListener("drop", function (event) {
      var grid = event.target.closest(".cal-col .cal-grid");
      if (!dragged || !grid) { return; }
      event.preventDefault();
      var col = grid.closest(".cal-col");
      openMove(dragged, {date: col.dataset.date, time: slotTime(grid, event.clientY - grab, 5),
                         practitioner: col.dataset.practitioner || ""});
      dragged = null;
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

  // The open day refreshes itself: htmx polls a cheap version of the day (#cal-version); when it
  // changes, the grid is fetched and swapped in place, keeping the scroll position. While a dialog
  // is open the refresh waits for it to close, so the desk never loses what it was doing.
  var version = document.getElementById("cal-version");
  var stale = false;
  function refreshGrid() {
    if ((dialog && dialog.open) || (moveDialog && moveDialog.open)) { stale = true; return; }
    stale = false;
    var top = scroller.scrollTop;
    var left = scroller.scrollLeft;
    window.htmx.ajax("GET", window.location.pathname + window.location.search,
                     {target: ".cal", select: ".cal", swap: "outerHTML"}).then(function () {
      scroller.scrollTop = top;
      scroller.scrollLeft = left;
      markDraggable();
    });
  }
  if (version && scroller && window.htmx) {
    version.addEventListener("htmx:afterRequest", function (event) {
      var now = event.detail.xhr.responseText.trim();
      if (event.detail.xhr.status === 200 && now && now !== version.dataset.version) {
        version.dataset.version = now;
        refreshGrid();
      }
    });
    [dialog, moveDialog].forEach(function (d) {
      if (d) { d.addEventListener("close", function () { if (stale) { refreshGrid(); } }); }
    });
  }

  // After "Show the effect", the confirmation is one Enter away.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    // An outerHTML swap reports the replaced (detached) element as its target: go by its id.
    if (moveDialog && moveDialog.open && event.detail.target.id === "move-body") {
      var confirm = moveDialog.querySelector("[data-move-confirm]");
      if (confirm) { confirm.focus(); }
    }
  });

  // A refused booking or move answers 400 with the reason: htmx swaps it into the dialog (the
  // responseHandling in base.html's htmx-config, for every page).
}());
