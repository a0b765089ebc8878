// The header's menu is a <details> disclosure: closed on a phone, always open on wider
// screens. CSS shows its links on wide screens where the browser allows styling
// ::details-content; this opens it for the others. Nothing depends on it.
(function () {
  "use strict";
  var menu = document.querySelector("details.site-menu");
  if (!menu || !window.matchMedia) { return; }
  var wide = window.matchMedia("(min-width: 40.0625rem)");
  menu.open = wide.matches || menu.open;
  // Turning a tablet, or narrowing a window: the menu folds again on a narrow screen.
  if (wide.addEventListener) {
    wide.addEventListener("change", function () { menu.open = wide.matches; });
  }
}());
