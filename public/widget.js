/* Switchboard chat widget loader: one script tag on any page draws a launcher; the chat
   runs in an iframe served by Switchboard, isolated from the host page's CSS and scripts.
   Options (data attributes on the script tag): data-title, data-color, data-lang.
   The widget speaks the host page's language: data-lang when given, else the page's
   <html lang>, else English; "en" or "fr" ("fr-CA" is French, a language it does not speak
   is English). The chat gets it as /widget/chat.html?lang=fr.
   The button is drawn once Switchboard says whether to (/widget/api/availability, issue 17):
   while every queue is outside its business hours and the administrator hides the button
   then, it waits for the opening. Anything unclear (no answer within 3 s, an error, an older
   server) draws it: a customer is never kept from the chat by a hiccup. */
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

  /* From /widget/api/availability's answer (null when there is none): whether to draw the
     button now, and if not, in how many ms to ask again (a second after the opening it
     gives, between 30 s and an hour). A visitor who opened the chat in this tab keeps the
     button whatever the hours (a chat may still be going on). */
  function launcherPlan(availability, now, opened) {
    if (opened || !availability || availability.open !== false || availability.hide_when_closed !== true) {
      return { show: true, again: null };
    }
    var opens = typeof availability.opens_at_ms === 'number' ? availability.opens_at_ms - now + 1000 : 3600000;
    return { show: false, again: Math.min(Math.max(opens, 30000), 3600000) };
  }

  if (typeof module === 'object' && module.exports) {
    module.exports = { words: WORDS, language: language, pickLanguage: pickLanguage, launcherPlan: launcherPlan };
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
  // The chat was opened in this tab: its button stays on the site's next pages.
  var OPENED = 'switchboard.widget.opened';
  function openedBefore() {
    try { return sessionStorage.getItem(OPENED) === '1'; } catch (err) { return false; }
  }
  button.addEventListener('click', function () {
    try { sessionStorage.setItem(OPENED, '1'); } catch (err) { /* storage blocked */ }
    var opening = frame.hidden;
    if (opening && !frame.src) frame.src = origin + '/widget/chat.html?lang=' + lang;
    frame.hidden = !opening;
    button.setAttribute('aria-expanded', String(opening));
    button.textContent = opening ? words.close : title;
  });
  // Each decision is told to the host page as a `switchboard:launcher` event ({shown}).
  var drawn = false;
  function told(shown) {
    try { window.dispatchEvent(new CustomEvent('switchboard:launcher', { detail: { shown: shown } })); } catch (err) { /* old browser */ }
  }
  function draw() {
    if (drawn) return;
    drawn = true;
    document.body.appendChild(host);
    told(true);
  }
  function decide(plan) {
    if (plan.show) { draw(); return; }
    told(false);
    setTimeout(ask, plan.again);
  }
  function ask() {
    // Opened in this tab before: no need to ask.
    if (openedBefore()) { decide(launcherPlan(null, Date.now(), true)); return; }
    var answered = false;
    var late = setTimeout(function () { answered = true; draw(); }, 3000);
    fetch(origin + '/widget/api/availability', { credentials: 'omit' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; })
      .then(function (availability) {
        if (answered) return;
        answered = true;
        clearTimeout(late);
        decide(launcherPlan(availability, Date.now(), false));
      });
  }
  ask();
})();
