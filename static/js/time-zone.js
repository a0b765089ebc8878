// Progressive enhancement for /settings/time-zone: a member who has not chosen a zone
// (the form carries data-browser-zone) is offered their browser's, preselected with a note;
// nothing is saved until they press Save. Without script the site's time (UTC) stays.
(function () {
  "use strict";
  function offer() {
    var form = document.querySelector("form[data-browser-zone]");
    if (!form || !window.Intl || !Intl.DateTimeFormat) { return; }
    var select = form.querySelector("select[name=time_zone]");
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!select || !zone || select.value !== "") { return; }
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) {
        select.value = zone;
        var note = form.querySelector(".browser-zone-note");
        if (note) { note.hidden = false; }
        return;
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", offer);
  } else {
    offer();
  }
}());
