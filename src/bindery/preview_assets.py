"""The preview's own files, served under /_bindery/ (never part of the book): the live-reload
client, which reloads the page when the server says a rebuild changed the book (keeping the
scroll position), and the stylesheet of the navigation bar and the build-error panel."""

from __future__ import annotations

LIVE_JS = """\
// Bindery preview: reload this page when the book was rebuilt.
(function () {
  var me = document.currentScript;
  var version = me ? me.getAttribute("data-version") : null;
  var key = "bindery-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) { sessionStorage.removeItem(key); window.scrollTo(0, Number(saved)); }
  var source = new EventSource("/_bindery/events");
  source.onopen = function () { window.binderyLive = true; };
  source.onmessage = function (event) {
    if (event.data !== version) {
      source.close();
      sessionStorage.setItem(key, String(window.scrollY));
      location.reload();
    }
  };
})();
"""

PREVIEW_CSS = """\
/* Bindery preview: the navigation bar, the build-error panel and the error page (not part of the book). */
nav.bindery-preview { font: 14px/1.4 system-ui, sans-serif; display: flex; flex-wrap: wrap; gap: 0.25em 1.25em;
  align-items: baseline; padding: 0.5em 1em; margin: 0 -1em 2em; background: #f3f1ec; border-bottom: 1px solid #d8d4ca; }
nav.bindery-preview.bottom { margin: 3em -1em 0; border-top: 1px solid #d8d4ca; border-bottom: 0; }
nav.bindery-preview a { color: #234; min-width: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
nav.bindery-preview a[rel=next] { margin-left: auto; }
nav.bindery-preview .status { flex: 1 0 100%; order: 1; color: #666; font-size: 12px; }
@media (min-width: 48em) { nav.bindery-preview .status { flex: 0 1 auto; order: 0; margin-left: auto; text-align: right; }
  nav.bindery-preview a[rel=next] { margin-left: 0; } }
section.bindery-failed { font: 15px/1.5 system-ui, sans-serif; margin: -1em -1em 2em; padding: 0.75em 1em;
  background: #fbe9e7; border: 1px solid #d9a39b; color: #4a1a12; }
section.bindery-failed p { text-indent: 0; margin: 0 0 0.5em; }
section.bindery-failed ul { margin: 0; padding-left: 1.25em; }
section.bindery-failed li { font-family: ui-monospace, monospace; font-size: 13px; white-space: pre-wrap; overflow-wrap: anywhere; }
body { max-width: 42em; margin: 0 auto; padding: 0 1em; }
body.bindery-error { font: 16px/1.5 system-ui, sans-serif; }
body.bindery-error li { font-family: ui-monospace, monospace; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.5em 0; }
"""
