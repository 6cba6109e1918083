// Every staff page: "/" puts the cursor in the page's patient search box (the calendar's toolbar,
// the patients page); where there is none, it opens the patients page.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName));
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target) || document.querySelector("dialog[open]")) { return; }
    var box = document.querySelector("[data-search-box]");
    if (box) { event.preventDefault(); box.focus(); box.select(); return; }
    var page = document.querySelector("[data-search-url]");
    if (page) { event.preventDefault(); window.location.assign(page.dataset.searchUrl); }
  });
}());

// A table wider than a phone scrolls in its own box (prolo.css): the box takes keyboard focus,
// so the arrow keys can scroll it.
(function () {
  "use strict";
  function focusable() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1 && !table.hasAttribute("tabindex")) { table.tabIndex = 0; }
    });
  }
  focusable();
  window.addEventListener("resize", focusable);
}());
