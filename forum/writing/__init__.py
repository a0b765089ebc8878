"""The writing experience around the board's forms: live preview, drafts, quotes and name
suggestions for @mentions. Everything here is progressive enhancement: the board's forms
work without it (static/js/composer.js calls these routes)."""
