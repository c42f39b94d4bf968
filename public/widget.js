/* Switchboard chat widget loader: one script tag on any page draws a launcher; the chat
   runs in an iframe served by Switchboard, isolated from the host page's CSS and scripts.
   Options (data attributes on the script tag): data-title, data-color, data-lang.
   The widget speaks the host page's language: data-lang when given, else the page's
   <html lang>, else English; "en" or "fr" ("fr-CA" is French, a language it does not speak
   is English). The chat gets it as /widget/chat.html?lang=fr. */
(function () {
  'use strict';
  // The launcher's own words; the same as "launcher" in app/locales/{en,fr}/widget.json (a
  // unit test checks). A data-title is the host's own text and stays as given.
  var WORDS = {
    en: { title: 'Chat with us', close: 'Close chat' },
    fr: { title: 'Discutez avec nous', close: 'Fermer la conversation' }
  };

  /* "fr", "fr-CA", "FR", "fr_CA" → 'fr'; a language the widget does not speak → null. */
  function language(tag) {
    if (typeof tag !== 'string') return null;
    var primary = tag.trim().split(/[-_]/)[0].toLowerCase();
    return WORDS.hasOwnProperty(primary) ? primary : null;
  }

  /* The first of the script tag's data-lang and the page's lang that says something decides;
     English when it is a language the widget does not speak, or when neither says any. */
  function pickLanguage(scriptLang, pageLang) {
    var given = [scriptLang, pageLang].filter(function (tag) {
      return typeof tag === 'string' && tag.trim() !== '';
    })[0];
    return language(given) || 'en';
  }

  if (typeof module === 'object' && module.exports) {
    module.exports = { words: WORDS, language: language, pickLanguage: pickLanguage };
    return;
  }

  var script = document.currentScript;
  if (!script || window.__switchboardWidget) return;
  window.__switchboardWidget = true;
  var origin = new URL(script.src, location.href).origin;
  var lang = pickLanguage(script.getAttribute('data-lang'), document.documentElement.getAttribute('lang'));
  var words = WORDS[lang];
  var title = script.getAttribute('data-title') || words.title;
  var color = script.getAttribute('data-color') || '#0b5cad';

  var host = document.createElement('div');
  host.setAttribute('data-switchboard', '');
  // A shadow root keeps the host page's styles off the launcher, and ours off the page.
  var root = host.attachShadow({ mode: 'open' });
  root.innerHTML =
    '<style>' +
    ':host{all:initial}' +
    '.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483646;display:flex;align-items:center;gap:8px;' +
    'padding:12px 18px;border:0;border-radius:999px;background:' + color + ';color:#fff;' +
    'font:600 15px/1 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.25)}' +
    '.launcher:focus-visible{outline:3px solid #2f81f7;outline-offset:3px}' +
    '.frame{position:fixed;right:20px;bottom:80px;z-index:2147483647;width:370px;height:560px;max-width:calc(100vw - 24px);' +
    'max-height:calc(100vh - 100px);border:0;border-radius:12px;box-shadow:0 12px 40px rgba(0,0,0,.3);background:#fff}' +
    '.frame[hidden]{display:none}' +
    '</style>' +
    '<iframe class="frame" hidden></iframe>' +
    '<button class="launcher" type="button" aria-expanded="false"></button>';
  var button = root.querySelector('.launcher');
  var frame = root.querySelector('.frame');
  frame.title = title;
  button.lang = lang;
  button.textContent = title;
  button.addEventListener('click', function () {
    var opening = frame.hidden;
    if (opening && !frame.src) frame.src = origin + '/widget/chat.html?lang=' + lang;
    frame.hidden = !opening;
    button.setAttribute('aria-expanded', String(opening));
    button.textContent = opening ? words.close : title;
  });
  document.body.appendChild(host);
})();
