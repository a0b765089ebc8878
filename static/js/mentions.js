/* @mention suggestions in the composer: type "@" and the start of a name, and a list of
 * members' display names (from GET /compose/mentions, forum/writing/views.py) opens below the
 * text box. Keyboard: Down/Up choose a name, Enter or Tab puts "@Name " in the text, Escape
 * closes the list. The text box keeps its own (multi-line text box) role and carries the
 * ARIA 1.2 combobox properties a text box supports: aria-autocomplete="list",
 * aria-controls (the listbox) and aria-activedescendant (the chosen option); a polite live
 * region says how many names were found. Progressive enhancement only: without this file a
 * mention is typed in full, and it notifies the same. No inline script, same origin. */
(function () {
  'use strict';

  var WAIT = 200;       // ms after the last keystroke before asking
  var LONGEST = 40;     // a display name is at most 40 characters
  // "@" at the start of the text or after a space or an opening bracket, then the name so far.
  var TYPED = /(^|[\s([{"'“‘])@([^\s@][^@\n]{0,40})?$/;

  function mentions(context) {
    var box = context.box, area = context.area;
    var url = box.getAttribute('data-mention-url');
    if (!url || !area.id) { return; }
    var topic = box.getAttribute('data-mention-topic') || '';

    var list = document.createElement('ul');
    list.id = area.id + '-mentions';
    list.className = 'mention-list';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Members to mention');
    list.hidden = true;
    var status = document.createElement('div');
    status.className = 'visually-hidden';
    status.setAttribute('aria-live', 'polite');  // not role=status: the page's notices have it
    status.setAttribute('aria-atomic', 'true');
    status.id = area.id + '-mention-status';
    var field = area.closest('.field') || area.parentNode;
    field.appendChild(list);
    field.appendChild(status);

    area.setAttribute('aria-autocomplete', 'list');
    area.setAttribute('aria-controls', list.id);

    var names = [], active = -1, start = -1, asked = 0, shown = 0, timer = null;
    var dismissed = null;  // the "@..." text Escape closed the list for

    function typed() {
      if (area.selectionStart !== area.selectionEnd) { return null; }
      var caret = area.selectionStart;
      var before = area.value.slice(Math.max(0, caret - LONGEST - 2), caret);
      var match = TYPED.exec(before);
      if (!match) { return null; }
      var text = match[2] || '';
      return {text: text, start: caret - text.length - 1};
    }

    function close() {
      list.hidden = true;
      list.textContent = '';
      names = [];
      active = -1;
      area.removeAttribute('aria-activedescendant');
    }

    function choose(index) {
      var options = list.querySelectorAll('[role="option"]');
      active = index;
      Array.prototype.forEach.call(options, function (option, i) {
        option.setAttribute('aria-selected', i === index ? 'true' : 'false');
      });
      if (index >= 0 && options[index]) {
        area.setAttribute('aria-activedescendant', options[index].id);
        options[index].scrollIntoView({block: 'nearest'});
      } else {
        area.removeAttribute('aria-activedescendant');
      }
    }

    function insert(index) {
      var name = names[index];
      var caret = area.selectionStart;
      close();
      if (name === undefined || start < 0) { return; }
      var text = '@' + name + ' ';
      context.replace(area, start, caret, text, text.length, text.length);
      dismissed = null;
    }

    function show(found, query) {
      names = found.slice(0, 8);
      list.textContent = '';
      active = -1;
      area.removeAttribute('aria-activedescendant');
      names.forEach(function (name, i) {
        var option = document.createElement('li');
        option.id = list.id + '-' + i;
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        option.textContent = name;
        option.addEventListener('mousedown', function (event) { event.preventDefault(); });
        option.addEventListener('click', function () { insert(i); });
        list.appendChild(option);
      });
      list.hidden = names.length === 0;
      status.textContent = names.length === 0 ? 'No members found for “' + query + '”.' :
        (names.length === 1 ? '1 member found' : names.length + ' members found') +
        ': use the up and down arrow keys to choose, Enter to insert, Escape to close.';
    }

    function ask() {
      var found = typed();
      if (!found || !found.text.trim() || (dismissed !== null && dismissed === found.start)) {
        close();
        if (!found) { status.textContent = ''; }
        return;
      }
      start = found.start;
      var number = ++asked;
      var query = found.text;
      var address = url + '?q=' + encodeURIComponent(query) +
        (topic ? '&topic=' + encodeURIComponent(topic) : '');
      fetch(address, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
        .then(function (response) { return response.ok ? response.json() : {names: []}; })
        .catch(function () { return {names: []}; })
        .then(function (data) {
          if (number < shown || number !== asked) { return; }  // a newer answer is coming
          shown = number;
          var still = typed();
          if (!still || still.start !== start) { close(); return; }
          show(Array.isArray(data.names) ? data.names : [], query);
        });
    }

    area.addEventListener('input', function () {
      var found = typed();
      if (dismissed !== null && (!found || found.start !== dismissed)) { dismissed = null; }
      clearTimeout(timer);
      timer = setTimeout(ask, WAIT);
    });
    area.addEventListener('keydown', function (event) {
      if (list.hidden || !names.length || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      if (event.key === 'ArrowDown') {
        event.preventDefault();
        choose(active + 1 >= names.length ? 0 : active + 1);
      } else if (event.key === 'ArrowUp') {
        event.preventDefault();
        choose(active <= 0 ? names.length - 1 : active - 1);
      } else if ((event.key === 'Enter' || event.key === 'Tab') && active >= 0) {
        event.preventDefault();
        insert(active);
        status.textContent = 'Mention inserted.';
      } else if (event.key === 'Escape') {
        event.preventDefault();
        dismissed = start;
        close();
        status.textContent = 'Suggestions closed.';
      }
    });
    area.addEventListener('blur', function () { setTimeout(close, 150); });
  }

  if (window.forumComposer) { window.forumComposer.use(mentions); }
}());
