/* The composer: a formatting toolbar that types Markdown, keyboard shortcuts and a live
 * preview rendered by the server's one markup module. Progressive enhancement only: every
 * form works without this file (the Preview button posts the form). No inline script, no
 * third-party origin: the site's Content-Security-Policy holds. */
(function () {
  'use strict';

  var mac = /Mac|iPhone|iPad/.test(navigator.platform || '');
  var MOD = mac ? 'Meta' : 'Control';

  function csrfToken(form) {
    var input = form && form.querySelector('input[name="csrf_token"]');
    return input ? input.value : '';
  }

  /* POST fields to a same-site URL; resolves to {ok, status, data} and never rejects. */
  function post(url, form, fields) {
    var body = new FormData();
    Object.keys(fields).forEach(function (name) { body.append(name, fields[name]); });
    return fetch(url, {
      method: 'POST', body: body, credentials: 'same-origin',
      headers: {'X-CSRFToken': csrfToken(form), 'Accept': 'application/json'}
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {ok: response.ok, status: response.status, data: data};
      });
    }).catch(function () { return {ok: false, status: 0, data: {}}; });
  }

  /* --- Editing the text ------------------------------------------------------------- */

  function replace(area, start, end, text, selectFrom, selectTo) {
    area.focus();
    area.setSelectionRange(start, end);
    // execCommand keeps the browser's undo history; setRangeText where it is refused.
    var done = false;
    try { done = document.execCommand('insertText', false, text); } catch (e) { done = false; }
    if (!done || area.value.slice(start, start + text.length) !== text) {
      area.setRangeText(text, start, end, 'end');
      area.dispatchEvent(new Event('input', {bubbles: true}));
    }
    area.setSelectionRange(start + selectFrom, start + selectTo);
  }

  function wrap(before, after, placeholder) {
    return function (area) {
      var s = area.selectionStart, e = area.selectionEnd;
      var chosen = area.value.slice(s, e) || placeholder;
      replace(area, s, e, before + chosen + after, before.length, before.length + chosen.length);
    };
  }

  function lineRange(area) {
    var value = area.value, s = area.selectionStart, e = area.selectionEnd;
    if (e > s && value.charAt(e - 1) === '\n') { e -= 1; }
    var from = value.lastIndexOf('\n', s - 1) + 1;
    var to = value.indexOf('\n', e);
    return [from, to < 0 ? value.length : to];
  }

  /* Put a marker at the start of every chosen line (or take it away if all have it). */
  function lines(marker) {
    return function (area) {
      var range = lineRange(area), value = area.value;
      var chosen = value.slice(range[0], range[1]).split('\n');
      var pattern = marker === 'number' ? /^\d+\. / : new RegExp('^' + marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      var all = chosen.every(function (line) { return pattern.test(line); });
      var changed = chosen.map(function (line, i) {
        if (all) { return line.replace(pattern, ''); }
        return (marker === 'number' ? (i + 1) + '. ' : marker) + line;
      }).join('\n');
      // A block needs an empty line before it unless it starts the text.
      var before = (!all && range[0] > 0 && value.slice(0, range[0]).slice(-2) !== '\n\n') ? '\n' : '';
      var empty = area.selectionStart === area.selectionEnd;
      var end = before.length + changed.length;  // an empty selection: carry on typing there
      replace(area, range[0], range[1], before + changed, empty ? end : before.length, end);
    };
  }

  function code(area) {
    var s = area.selectionStart, e = area.selectionEnd, chosen = area.value.slice(s, e);
    if (chosen.indexOf('\n') < 0) { return wrap('`', '`', 'code')(area); }
    var before = (s > 0 && area.value.charAt(s - 1) !== '\n') ? '\n' : '';
    var text = before + '```\n' + chosen + '\n```\n';
    replace(area, s, e, text, before.length + 4, before.length + 4 + chosen.length);
  }

  function link(area) {
    var s = area.selectionStart, e = area.selectionEnd;
    var chosen = area.value.slice(s, e) || 'link text';
    var text = '[' + chosen + '](https://)';
    replace(area, s, e, text, chosen.length + 3, chosen.length + 11);
  }

  var ACTIONS = [
    {name: 'bold', label: 'Bold', key: 'b', run: wrap('**', '**', 'bold text')},
    {name: 'italic', label: 'Italic', key: 'i', run: wrap('_', '_', 'italic text')},
    {name: 'link', label: 'Link', key: 'k', run: link},
    {name: 'quote', label: 'Quote', key: '9', shift: true, run: lines('> ')},
    {name: 'bullets', label: 'Bulleted list', key: '8', shift: true, run: lines('- ')},
    {name: 'numbers', label: 'Numbered list', key: '7', shift: true, run: lines('number')},
    {name: 'heading', label: 'Heading', key: 'h', shift: true, run: lines('### ')},
    {name: 'code', label: 'Code', key: 'e', run: code}
  ];

  function shortcutText(action) {
    return (mac ? '⌘' : 'Ctrl+') + (action.shift ? 'Shift+' : '') + action.key.toUpperCase();
  }

  /* --- The toolbar (one tab stop, arrow keys move between buttons) ------------------ */

  function toolbar(area, extra) {
    var bar = document.createElement('div');
    bar.className = 'composer-toolbar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Formatting');
    bar.setAttribute('aria-controls', area.id);
    ACTIONS.concat(extra || []).forEach(function (action, index) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'composer-button composer-' + action.name;
      button.textContent = action.label;
      button.tabIndex = index === 0 ? 0 : -1;
      if (action.key) {
        button.title = action.label + ' (' + shortcutText(action) + ')';
        button.setAttribute('aria-keyshortcuts', MOD + '+' + (action.shift ? 'Shift+' : '') + action.key.toUpperCase());
      }
      button.addEventListener('click', function () { action.run(area, button); });
      bar.appendChild(button);
    });
    bar.addEventListener('keydown', function (event) {
      var buttons = Array.prototype.slice.call(bar.querySelectorAll('button'));
      var at = buttons.indexOf(document.activeElement);
      var next = {ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1}[event.key];
      if (next === undefined || at < 0) { return; }
      event.preventDefault();
      next = (next + buttons.length) % buttons.length;
      buttons.forEach(function (b, i) { b.tabIndex = i === next ? 0 : -1; });
      buttons[next].focus();
    });
    area.addEventListener('keydown', function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) { return; }
      var key = event.key.toLowerCase();
      var code = event.code || '';
      ACTIONS.forEach(function (action) {
        var digit = /^\d$/.test(action.key) && code === 'Digit' + action.key;
        if (!!action.shift === event.shiftKey && (key === action.key || digit)) {
          event.preventDefault();
          action.run(area);
        }
      });
    });
    return bar;
  }

  /* --- Live preview (debounced; stale answers dropped) ------------------------------ */

  function livePreview(box, area, form) {
    var url = box.getAttribute('data-preview-url');
    if (!url) { return; }
    var level = box.getAttribute('data-heading-level') || '2';
    var section = document.createElement('section');
    section.className = 'live-preview';
    section.id = area.id + '-live-preview';
    var heading = document.createElement('h' + level);
    heading.id = area.id + '-live-preview-title';
    heading.textContent = 'Preview';
    section.setAttribute('aria-labelledby', heading.id);
    var note = document.createElement('p');
    note.className = 'hint';
    note.textContent = 'Updates as you type. This is how your post will look.';
    var output = document.createElement('div');
    output.className = 'post-body';
    section.appendChild(heading);
    section.appendChild(note);
    section.appendChild(output);
    section.hidden = true;
    box.appendChild(section);

    var timer = null, sent = 0, shown = 0, last = null;
    function refresh() {
      var text = area.value;
      if (text === last) { return; }
      last = text;
      if (!text.trim()) { section.hidden = true; output.textContent = ''; return; }
      var number = ++sent;
      post(url, form, {body: text}).then(function (answer) {
        if (number < shown) { return; }
        shown = number;
        section.hidden = false;
        if (answer.ok && typeof answer.data.html === 'string') {
          output.innerHTML = answer.data.html;  // rendered and cleaned by forum/markup.py
          note.textContent = 'Updates as you type. This is how your post will look.';
        } else {
          last = null;  // try again on the next change
          note.textContent = answer.data.error ||
            'The preview is not available right now. Your text is safe; use the Preview button.';
        }
      });
    }
    area.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 600);
    });
    if (area.value.trim()) { refresh(); }
  }

  /* --- Quote: the words chosen in a post (or all of it) into the reply form ---------- */

  var chosen = null;  // the last selection made inside a post's text
  document.addEventListener('selectionchange', function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { return; }
    var node = selection.anchorNode;
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    var body = element && element.closest('.post-body');
    var item = body && body.closest('.post');
    if (item) { chosen = {post: item.id, text: selection.toString()}; }
  });

  function quoteMarkdown(author, path, text) {
    var name = author.replace(/([\\[\]*_`<>])/g, '\\$1');
    var lines = text.replace(/\r\n/g, '\n').trim().slice(0, 5000).split('\n');
    return '> [' + name + ' wrote](' + path + '):\n>\n' +
      lines.map(function (line) { return ('> ' + line).replace(/\s+$/, ''); }).join('\n') + '\n\n';
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-quote-post]');
    var area = document.querySelector('#reply form [data-composer] textarea');
    if (!link || !area || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    var item = link.closest('.post');
    var text = (chosen && chosen.post === item.id) ? chosen.text
      : item.querySelector('.post-body').innerText;
    chosen = null;
    var quote = quoteMarkdown(link.getAttribute('data-quote-author'),
                              link.getAttribute('data-quote-path'), text);
    var end = area.value.length;
    var before = area.value && !/\n\n$/.test(area.value) ? (/\n$/.test(area.value) ? '\n' : '\n\n') : '';
    replace(area, end, end, before + quote, before.length + quote.length, before.length + quote.length);
    area.scrollIntoView({block: 'center'});
  });

  /* --- Drafts: kept on the server every few seconds, and on this device until then --- */

  var DRAFT_EVERY = 3000;
  var DRAFT_STORE = 'forum-draft:';

  /* Logging out forgets the member's own copies in this browser (another member's copies,
   * kept while their session ended unexpectedly, stay theirs and are never shown to others). */
  function forgetDraftsOf(member) {
    var prefix = DRAFT_STORE + member + ':';
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var name = localStorage.key(i);
        if (name && name.indexOf(prefix) === 0) { localStorage.removeItem(name); }
      }
    } catch (e) { /* storage off */ }
  }
  document.addEventListener('submit', function (event) {
    var member = document.body.getAttribute('data-member');
    if (member && event.target.hasAttribute && event.target.hasAttribute('data-forget-drafts')) {
      forgetDraftsOf(member);
    }
  });

  function drafts(box, area, form) {
    var url = box.getAttribute('data-draft-url'), key = box.getAttribute('data-draft-key');
    if (!url || !key) { return; }
    var title = form.querySelector('input[name="title"]');
    // This browser's copy is the member's own: named by who is logged in (another member on
    // the same computer never gets it back) and forgotten on log-out.
    var member = document.body.getAttribute('data-member');
    if (!member) { return; }
    var store = DRAFT_STORE + member + ':' + key;
    var status = document.createElement('p');
    status.className = 'hint draft-status';
    box.appendChild(status);

    function current() { return {body: area.value, title: title ? title.value : ''}; }
    function same(a, b) { return a.body === b.body && a.title === b.title; }
    function remember(value) {
      try { localStorage.setItem(store, JSON.stringify(value)); } catch (e) { /* full or off */ }
    }
    function forget() { try { localStorage.removeItem(store); } catch (e) { /* off */ } }
    function local() {
      try { return JSON.parse(localStorage.getItem(store) || 'null'); } catch (e) { return null; }
    }

    // Text this browser kept but the server never confirmed (the connection went) comes back.
    var unsaved = local();
    if (unsaved && typeof unsaved.body === 'string' && !same(unsaved, current())) {
      area.value = unsaved.body;
      if (title && unsaved.title) { title.value = unsaved.title; }
      status.textContent = 'We put back text this browser kept while it could not reach the ' +
        'forum. It will be saved as a draft now.';
    }

    var saved = unsaved ? null : current(), sending = false;
    function tick() {
      var value = current();
      if (sending || (saved && same(value, saved))) { return; }
      sending = true;
      post(url, form, {key: key, body: value.body, title: value.title}).then(function (answer) {
        sending = false;
        if (answer.ok) {
          saved = value;
          if (same(current(), value)) { forget(); }
          status.textContent = answer.data.discarded ? 'Draft discarded.' :
            'Draft saved at ' + new Date().toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'}) + '.';
        } else if (answer.status === 0 || answer.status >= 500 || answer.status === 429) {
          status.textContent = 'Not saved to the forum yet (no connection). Your text is kept ' +
            'in this browser and will be saved when the connection is back.';
        } else {
          saved = value;  // a form that keeps no draft: stop trying
          status.textContent = answer.data.error || '';
        }
      });
    }
    function changed() { remember(current()); }
    area.addEventListener('input', changed);
    if (title) { title.addEventListener('input', changed); }
    setInterval(tick, DRAFT_EVERY);
    if (!saved) { remember(current()); }
    form.addEventListener('submit', function (event) {
      var button = event.submitter;
      if (!button || button.name !== 'preview') { forget(); }
    });
  }

  /* --- Attachments: drop or paste files onto the text box to add them to the picker - */

  function attachments(box, area, form) {
    var input = form.querySelector('[data-attach] input[type="file"]');
    if (!input || typeof DataTransfer === 'undefined') { return; }
    var note = document.createElement('p');
    note.className = 'hint attach-status';
    input.parentNode.appendChild(note);
    function describe() {
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      note.textContent = names.length ? 'Will be attached: ' + names.join(', ') + '.' : '';
    }
    function add(files) {
      var all = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (f) { all.items.add(f); });
      Array.prototype.forEach.call(files, function (f) { all.items.add(f); });
      input.files = all.files;
      describe();
    }
    area.addEventListener('dragover', function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, 'Files') >= 0) {
        event.preventDefault();
      }
    });
    area.addEventListener('drop', function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        event.preventDefault();
        add(event.dataTransfer.files);
      }
    });
    area.addEventListener('paste', function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) { event.preventDefault(); add(files); }
    });
    input.addEventListener('change', describe);
  }

  /* --- Wiring --------------------------------------------------------------------- */

  var features = [];  // later parts (drafts, mentions, uploads) add themselves here

  function enhance(box) {
    var area = box.querySelector('textarea');
    var form = box.closest('form');
    if (!area || !form || box.getAttribute('data-enhanced')) { return; }
    box.setAttribute('data-enhanced', 'true');
    var extra = [];
    var context = {box: box, area: area, form: form, post: post, replace: replace,
                   toolbarExtra: extra};
    features.forEach(function (feature) { feature(context); });
    var field = area.closest('.field') || area;
    var bar = toolbar(area, extra);
    field.insertBefore(bar, area);
    livePreview(box, area, form);
    drafts(box, area, form);
    attachments(box, area, form);
  }

  window.forumComposer = {
    post: post, replace: replace, csrfToken: csrfToken,
    use: function (feature) { features.push(feature); }
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-composer]'), enhance);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    setTimeout(start, 0);
  }
}());
