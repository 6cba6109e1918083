// The desk calendar: destructive actions ask first; keyboard shortcuts; click an empty time (or
// Tab to it and press Enter) to book; drag a card to another time or practitioner (or focus it and press M) to move it, after
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

  // Shortcuts: T today, left/P previous, right/N next (listed on the page).
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
    // "/" (find a patient) is every staff page's: static/js/prolo.js.
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

  // An empty time takes focus (Tab) and books on Enter: each block of working hours is a button
  // whose time moves by 15 minutes with the up and down arrows, shown by a cursor on the grid.
  function classNumber(el, prefix) {
    var m = el.className.match(new RegExp("(?:^|\\s)" + prefix + "(\\d+)(?:\\s|$)"));
    return m ? parseInt(m[1], 10) : 0;
  }
  function clock(minute) { return pad(Math.floor(minute / 60)) + ":" + pad(minute % 60); }
  function openRange(el) {
    var first = parseInt(calEl().dataset.firstMinute, 10);
    var row = classNumber(el, "cal-r-");
    return [first + (row - 1) * 5, first + (row - 1 + classNumber(el, "cal-s-")) * 5];
  }
  function labelOpen(el) {
    var range = openRange(el);
    var col = el.closest(".cal-col");
    var who = col.querySelector("h2, h3");
    var words = (document.querySelector("[data-free-label]") || {dataset: {}}).dataset.freeLabel ||
      "Free %(range)s, %(who)s: Enter books at %(time)s";
    el.setAttribute("aria-label", words.replace("%(range)s", clock(range[0]) + "–" + clock(range[1]))
      .replace("%(who)s", who ? who.textContent.trim() : "").replace("%(time)s", clock(parseInt(el.dataset.minute, 10))));
  }
  function markOpen() {
    calEl().querySelectorAll(".cal-col[data-practitioner] .cal-open").forEach(function (el) {
      el.tabIndex = 0;
      el.setAttribute("role", "button");
      if (!el.dataset.minute) { el.dataset.minute = openRange(el)[0]; }
      labelOpen(el);
    });
  }
  function showCursor(el) {
    var grid = el.parentNode;
    var cursor = grid.querySelector(".cal-cursor") || document.createElement("div");
    var first = parseInt(calEl().dataset.firstMinute, 10);
    cursor.className = "cal-cursor cal-s-3 cal-r-" + ((parseInt(el.dataset.minute, 10) - first) / 5 + 1);
    cursor.setAttribute("aria-hidden", "true");
    cursor.textContent = clock(parseInt(el.dataset.minute, 10));
    if (!cursor.parentNode) { grid.appendChild(cursor); }
  }

  // After a booking or a move the page opens at #appt-N: put the card just below the grid's
  // sticky headings (not under them), and keep the page at its top so the "is booked at 10:30"
  // message stays in view too. The card's column is scrolled into view sideways. On a phone the
  // grid is not a scroll box of its own (the page scrolls): the message is pinned to the top of
  // the screen and the page scrolled so the card sits just below it.
  function showChanged() {
    var id = window.location.hash.slice(1);
    var card = id && document.getElementById(id);
    if (!scroller || !card || !card.classList.contains("cal-appt")) { return false; }
    var col = card.closest(".cal-col");
    var axis = scroller.querySelector(".cal-axis");
    var boxLeft = scroller.getBoundingClientRect().left + (axis ? axis.offsetWidth : 0);
    var colBox = col.getBoundingClientRect();
    if (colBox.left < boxLeft || colBox.right > scroller.getBoundingClientRect().right) {
      scroller.scrollLeft = Math.max(0, scroller.scrollLeft + colBox.left - boxLeft);
    }
    scroller.scrollTop = 0;
    var head = col && col.querySelector(".cal-head");
    var boxTop = scroller.getBoundingClientRect().top;
    var covered = head ? head.getBoundingClientRect().bottom - boxTop : 0;
    scroller.scrollTop = Math.max(0, card.getBoundingClientRect().top - boxTop - covered - 8);
    // "instant": Bootstrap makes the page's scrolling smooth, and a smooth scroll still under way
    // would leave the page wherever the next call finds it.
    window.scrollTo({top: 0, left: 0, behavior: "instant"});
    var cardBox = card.getBoundingClientRect();
    if (cardBox.bottom > window.innerHeight) {
      var message = document.querySelector("main > .messages");
      var above = 8;
      if (message) {
        message.classList.add("cal-pinned");
        above += message.offsetHeight;
      }
      window.scrollTo({top: Math.max(0, cardBox.top + window.scrollY - above), left: 0, behavior: "instant"});
    }
    card.classList.add("cal-changed");
    return true;
  }

  // Time off by sweeping: press on a free time and drag down (or up) the column; on release the
  // closure form opens with that practitioner, day and times filled in, and lists the bookings
  // it covers before anything is saved. Only for whoever may add time off (the page says so).
  var timeOff = document.querySelector("[data-time-off-url]");
  var sweep = null;
  var swept = false;

  // Listeners sit on the scroll box, which stays when the grid inside it is refreshed.
  if (cal && scroller) {
    markOpen();
    if (timeOff) {
      scroller.addEventListener("mousedown", function (event) {
        var col = event.target.closest && event.target.closest(".cal-col[data-practitioner]");
        if (event.button !== 0 || !col || !event.target.classList.contains("cal-open")) { return; }
        sweep = {col: col, y: event.clientY};
      });
      document.addEventListener("mouseup", function (event) {
        if (!sweep) { return; }
        var from = sweep;
        sweep = null;
        if (Math.abs(event.clientY - from.y) < 12) { return; }  // a click: that books
        swept = true;
        window.setTimeout(function () { swept = false; }, 0);
        var grid = from.col.querySelector(".cal-grid");
        var params = new URLSearchParams({
          practitioner: from.col.dataset.practitioner, first_day: from.col.dataset.date,
          start_time: slotTime(grid, Math.min(from.y, event.clientY), SLOT_MINUTES),
          end_time: slotTime(grid, Math.max(from.y, event.clientY), SLOT_MINUTES)
        });
        window.location.assign(timeOff.dataset.timeOffUrl + "?" + params.toString());
      });
    }
    scroller.addEventListener("focusin", function (event) {
      if (event.target.classList && event.target.classList.contains("cal-open")) { showCursor(event.target); }
    });
    scroller.addEventListener("focusout", function (event) {
      if (event.target.classList && event.target.classList.contains("cal-open")) {
        var cursor = event.target.parentNode.querySelector(".cal-cursor");
        if (cursor) { cursor.remove(); }
      }
    });
    scroller.addEventListener("keydown", function (event) {
      var el = event.target;
      if (!el.classList || !el.classList.contains("cal-open")) { return; }
      var minute = parseInt(el.dataset.minute, 10);
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        openSlot(el.closest(".cal-col"), clock(minute));
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var range = openRange(el);
        minute += event.key === "ArrowDown" ? SLOT_MINUTES : -SLOT_MINUTES;
        el.dataset.minute = Math.max(range[0], Math.min(range[1] - SLOT_MINUTES, minute));
        labelOpen(el);
        showCursor(el);
      }
    });
    scroller.addEventListener("click", function (event) {
      if (swept) { return; }
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
    if (showChanged()) {
      // The browser scrolls to the fragment itself once the page has loaded: place it again then.
      window.addEventListener("load", function () { window.requestAnimationFrame(showChanged); });
    } else if (scroller && first) {
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
      markOpen();
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

  // A day of the week of every practitioner loaded as it came into view: its cards may move too.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (calEl() && event.detail.elt && event.detail.elt.classList &&
        event.detail.elt.classList.contains("cal-team-day")) { markDraggable(); }
  });

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
