// The widget in English and French: how it picks its language (public/widget.js, and the
// chat page from its ?lang=), its t() (public/widget/i18n.js), and that every word it uses
// is in both app/locales/{en,fr}/widget.json, the files the server sends it as
// /widget/i18n/<lang>.json. Run with `node --test end2end/unit/`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.join(__dirname, '..', '..');
const widget = path.join(repo, 'public', 'widget');
const i18n = require(path.join(widget, 'i18n.js'));
const protocol = require(path.join(widget, 'protocol.js'));
const loader = require(path.join(repo, 'public', 'widget.js'));
const samples = require(path.join(widget, 'protocol.samples.json'));
const locales = {
  en: JSON.parse(fs.readFileSync(path.join(repo, 'app', 'locales', 'en', 'widget.json'), 'utf8')),
  fr: JSON.parse(fs.readFileSync(path.join(repo, 'app', 'locales', 'fr', 'widget.json'), 'utf8')),
};
const read = (file) => fs.readFileSync(path.join(widget, file), 'utf8');

/** Every text of a nested translation file, by its dotted key. */
function flatten(dict, prefix = '', out = {}) {
  for (const [key, value] of Object.entries(dict)) {
    if (typeof value === 'object' && value !== null) flatten(value, prefix + key + '.', out);
    else out[prefix + key] = value;
  }
  return out;
}
const flat = { en: flatten(locales.en), fr: flatten(locales.fr) };
const PLURAL = /_(zero|one|two|few|many|other)$/;
/** Whether t(key) finds a text in this language: the key itself, or its plural forms. */
const has = (lang, key) => typeof flat[lang][key] === 'string' || typeof flat[lang][key + '_other'] === 'string';
const placeholders = (text) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

test('t() finds nested keys, fills placeholders, and picks the plural the language takes', () => {
  const t = i18n.translator('fr', locales.fr);
  assert.equal(t('chat.send'), 'Envoyer');
  assert.equal(t('notes.ended.timed_out'), "La conversation s'est terminée après une période d'inactivité.");
  assert.equal(t('chat.typing', { name: 'Alex' }), 'Alex est en train d\'écrire…');
  assert.equal(t('chat.chars', { given: 1200, max: 1500 }), '1200 / 1500');
  // French: 0 and 1 are singular.
  assert.equal(t('chat.too_long', { message: 'M', count: 1 }), 'M (1 saisi)');
  assert.equal(t('chat.too_long', { message: 'M', count: 0 }), 'M (0 saisi)');
  assert.equal(t('chat.too_long', { message: 'M', count: 1501 }), 'M (1501 saisis)');
  // A category the file has no form for (French "many", for a million) takes _other.
  assert.equal(t('chat.too_long', { message: 'M', count: 1000000 }), 'M (1000000 saisis)');

  const en = i18n.translator('en', locales.en);
  assert.equal(en('chat.too_long', { message: 'Message: at most 1500 characters', count: 1501 }),
    'Message: at most 1500 characters (1501 given)');
  assert.equal(en('chat.typing', {}), '{{ name }} is typing…', 'a placeholder without its value stays');
});

test('t() falls back to English, then to the key', () => {
  const partial = i18n.translator('fr', { chat: { send: 'Envoyer' } });
  assert.equal(partial('chat.send'), 'Envoyer');
  assert.equal(partial('chat.end'), 'End chat');
  assert.equal(partial('notes.joined', { alias: 'Alex' }), 'Alex has joined the chat.');
  assert.equal(partial('chat.too_long', { message: 'M', count: 2 }), 'M (2 given)');
  assert.equal(partial('chat.nothing_here'), 'chat.nothing_here');
  assert.equal(partial('chat'), 'chat', 'an object is no text');
  // Nothing loaded: the English the page holds.
  const none = i18n.translator('fr', null);
  assert.equal(none('status.connecting'), 'Connecting…');
});

test('the language follows the host page: data-lang, else <html lang>, else English', () => {
  const pick = loader.pickLanguage;
  assert.equal(pick(null, 'fr'), 'fr');
  assert.equal(pick(null, 'fr-CA'), 'fr', 'a regional tag is its language');
  assert.equal(pick('FR_be', 'en'), 'fr');
  assert.equal(pick('fr', 'en-US'), 'fr', 'the script tag wins over the page');
  assert.equal(pick('en', 'fr'), 'en');
  assert.equal(pick('', 'fr'), 'fr', 'an empty data-lang says nothing');
  assert.equal(pick('  ', 'fr'), 'fr');
  assert.equal(pick('de', 'fr'), 'en', 'the script tag decides, in a language the widget speaks');
  assert.equal(pick(null, 'de-DE'), 'en');
  assert.equal(pick(null, ''), 'en');
  assert.equal(pick(null, null), 'en');
  assert.equal(pick(undefined, undefined), 'en');

  // The chat page reads what the loader passes it.
  assert.equal(i18n.fromSearch('?lang=fr'), 'fr');
  assert.equal(i18n.fromSearch('?v=2&lang=fr-CA'), 'fr');
  assert.equal(i18n.fromSearch('?lang=en'), 'en');
  assert.equal(i18n.fromSearch('?lang=de'), 'en');
  assert.equal(i18n.fromSearch('?lang=%E0'), 'en', 'a broken value is no language');
  assert.equal(i18n.fromSearch(''), 'en');
  for (const lang of ['en', 'fr']) assert.equal(i18n.language(lang), lang);
  assert.equal(i18n.language('constructor'), null);
  assert.equal(loader.language('hasOwnProperty'), null);
});

test('the language goes to the server in the WebSocket address, however it already reads', () => {
  assert.equal(i18n.withQuery('/widget/ws?v=1', 'lang', 'fr'), '/widget/ws?v=1&lang=fr');
  assert.equal(i18n.withQuery('/widget/ws', 'lang', 'fr'), '/widget/ws?lang=fr');
  assert.equal(i18n.withQuery('/widget/ws?', 'lang', 'fr'), '/widget/ws?lang=fr');
  assert.equal(i18n.withQuery('/widget/ws?v=1#x', 'lang', 'en'), '/widget/ws?v=1&lang=en#x');
  assert.equal(i18n.withQuery('/a', 'q', 'a b&c'), '/a?q=a%20b%26c');
});

test("a line's time as the language writes it", () => {
  const at = new Date(2026, 0, 15, 1, 40).getTime();
  assert.match(i18n.clock('en', at), /^01:40\sAM$/);
  assert.equal(i18n.clock('fr', at), '01:40');
});

test('issue 17: a file\'s size in the customer\'s words and units', () => {
  const en = i18n.translator('en', locales.en);
  const fr = i18n.translator('fr', locales.fr);
  assert.equal(i18n.size('en', en, 512), '512 B');
  assert.equal(i18n.size('en', en, 14 * 1024 - 100), '14 KB');
  assert.equal(i18n.size('en', en, 10 * 1024 * 1024), '10 MB');
  assert.equal(i18n.size('en', en, 3.2 * 1024 * 1024), '3.2 MB');
  assert.equal(i18n.size('fr', fr, 3.2 * 1024 * 1024), '3,2\u00a0Mo');
  assert.equal(
    fr('leave.files_hint', { count: 10, each: i18n.size('fr', fr, 10485760), total: i18n.size('fr', fr, 20971520) }),
    "Jusqu'à 10 fichiers, 10\u00a0Mo chacun, 20\u00a0Mo au total.",
  );
});

test('both languages have the same keys and placeholders, and every plural its _other', () => {
  assert.deepEqual(Object.keys(flat.fr).sort(), Object.keys(flat.en).sort());
  for (const [key, text] of Object.entries(flat.en)) {
    assert.equal(typeof text, 'string', key);
    assert.equal(typeof flat.fr[key], 'string', key);
    assert.ok(text.trim() && flat.fr[key].trim(), `${key}: empty`);
    assert.deepEqual(placeholders(flat.fr[key]), placeholders(text), `${key}: placeholders`);
    const plural = key.match(PLURAL);
    if (plural) {
      const base = key.slice(0, -plural[0].length);
      assert.ok(base + '_other' in flat.en, `${base}: no _other`);
      assert.ok(placeholders(text).includes('count'), `${key}: a plural needs {{ count }}`);
    }
  }
});

test('the English the scripts hold is the English of the translation files', () => {
  assert.deepEqual(i18n.english, locales.en, 'public/widget/i18n.js ENGLISH = app/locales/en/widget.json');
  assert.deepEqual(loader.words.en, locales.en.launcher, 'public/widget.js WORDS.en');
  assert.deepEqual(loader.words.fr, locales.fr.launcher, 'public/widget.js WORDS.fr');
  assert.deepEqual(Object.keys(loader.words).sort(), [...i18n.languages].sort());
});

test('every word the page and its script use is in both languages, and the page holds the English', () => {
  const html = read('chat.html');
  const used = new Set();
  for (const m of html.matchAll(/<(\w+)([^>]*?)\sdata-i18n="([^"]+)"([^>]*)>([^<]*)</g)) {
    used.add(m[3]);
    assert.equal(m[5], flat.en[m[3]], `chat.html: the English of ${m[3]}`);
  }
  for (const m of html.matchAll(/<\w+[^>]*\sdata-i18n-attr="([^"]+)"[^>]*>/g)) {
    const pairs = i18n.attributePairs(m[1]);
    assert.ok(pairs.length, m[0]);
    for (const { attr, key } of pairs) {
      used.add(key);
      const value = m[0].match(new RegExp(`\\s${attr}="([^"]*)"`));
      assert.ok(value, `chat.html: ${attr} missing beside data-i18n-attr`);
      assert.equal(value[1], flat.en[key], `chat.html: the English of ${attr} (${key})`);
    }
  }
  assert.ok(used.size >= 10, `only ${used.size} keys in chat.html`);

  // t('...') in the scripts, and every literal naming a key of the files (t(a ? 'x.y' : 'x.z')).
  const sections = Object.keys(locales.en);
  for (const file of ['chat.js', 'protocol.js', 'i18n.js']) {
    const source = read(file);
    for (const m of source.matchAll(/\bt\(\s*'([^']+)'/g)) used.add(m[1]);
    for (const m of source.matchAll(/'([a-z_]+(?:\.[a-z_]+)+)'/g)) {
      if (sections.includes(m[1].split('.')[0])) used.add(m[1]);
    }
  }
  // The keys protocol.js makes for system notes.
  for (const kind of ['joined', 'left', 'inactivity_warning']) {
    used.add(protocol.noteKey({ kind, alias: 'Alex', reason: null }).key);
  }
  for (const reason of protocol.endReasons) {
    used.add(protocol.noteKey({ kind: 'ended', alias: null, reason }).key);
  }
  for (const key of used) {
    assert.ok(has('en', key), `${key} is not in app/locales/en/widget.json`);
    assert.ok(has('fr', key), `${key} is not in app/locales/fr/widget.json`);
  }
  for (const key of ['chat.typing', 'chat.too_long', 'chat.chars', 'status.connecting', 'prechat.choose']) {
    assert.ok(used.has(key), `${key} is used`);
  }
});

test('system lines in the page\'s own words; the administrator\'s texts and unknown notes as the server sends them', () => {
  const key = protocol.noteKey;
  assert.deepEqual(key({ kind: 'joined', alias: 'Alex' }), { key: 'notes.joined', vars: { alias: 'Alex' } });
  assert.deepEqual(key({ kind: 'left', alias: 'Alex' }), { key: 'notes.left', vars: { alias: 'Alex' } });
  assert.equal(key({ kind: 'left', alias: null }), null, 'no alias: the server\'s text');
  assert.equal(key({ kind: 'ended', reason: 'ended_by_agent' }).key, 'notes.ended.other');
  assert.equal(key({ kind: 'ended', reason: 'page_closed' }).key, 'notes.ended.page_closed');
  assert.equal(key({ kind: 'ended', reason: 'a_newer_reason' }), null);
  for (const kind of ['welcome', 'no_agent', 'queue_timeout', 'a_newer_note']) {
    assert.equal(key({ kind, alias: null, reason: null }), null, kind);
  }
  assert.equal(key(null), null);

  // The samples the Rust types write: read in English, the page's words are the server's.
  const en = i18n.translator('en', locales.en);
  const fr = i18n.translator('fr', locales.fr);
  let system = 0;
  for (const [name, msg] of Object.entries(samples.server)) {
    const line = protocol.read(msg);
    if (line.type !== 'line' || line.kind !== 'system') continue;
    const own = key(line.note);
    if (!own) continue;
    system++;
    assert.equal(en(own.key, own.vars), line.text, name);
    assert.notEqual(fr(own.key, own.vars), line.text, `${name} in French`);
  }
  assert.ok(system >= 2, 'the samples have system lines');
  assert.equal(fr('notes.joined', { alias: 'Alex' }), 'Alex a rejoint la conversation.');
  const joined = protocol.read(samples.server.line_joined);
  assert.deepEqual(joined.note, { kind: 'joined', alias: 'Alex', reason: null });
  assert.equal(protocol.read(samples.server.line_from_agent).note, null);

  // And the server's own wording of each (SystemNote::text: app/locales/<lang>/system.json
  // "chat", or the English written in chat.rs), word for word (spaces aside: typography).
  const spaces = (text) => text.replace(/[\s\u00a0\u202f]+/g, ' ');
  const server = {};
  for (const lang of ['en', 'fr']) {
    try {
      server[lang] = flatten(JSON.parse(fs.readFileSync(path.join(repo, 'app', 'locales', lang, 'system.json'), 'utf8')));
    } catch (err) {
      server[lang] = {};
    }
  }
  const rust = fs.readFileSync(path.join(repo, 'app', 'src', 'domain', 'chat.rs'), 'utf8')
    .replace(/\\\n\s*/g, '');
  for (const k of Object.keys(flat.en).filter((k) => k.startsWith('notes.'))) {
    const serverKey = 'chat.' + (k === 'notes.ended.other' ? 'ended' : k.replace(/^notes\.(ended\.)?/, ''));
    for (const lang of ['en', 'fr']) {
      if (typeof server[lang][serverKey] === 'string') {
        assert.equal(spaces(flat[lang][k]), spaces(server[lang][serverKey]), `${lang} ${k}: system.json ${serverKey}`);
      } else if (lang === 'en') {
        const written = flat.en[k].replace(/\{\{\s*alias\s*\}\}/g, '{alias}');
        assert.ok(rust.includes(`"${written}"`), `${k}: "${written}" is not SystemNote::text's`);
      }
    }
  }
});

test('the page puts its words in its texts and attributes', () => {
  const el = (attrs, text) => ({
    attrs: { ...attrs },
    textContent: text,
    getAttribute(name) { return this.attrs[name] ?? null; },
    setAttribute(name, value) { this.attrs[name] = value; },
  });
  const send = el({ 'data-i18n': 'chat.send' }, 'Send');
  const box = el({ 'data-i18n-attr': 'placeholder:chat.placeholder; aria-label:chat.message_label', placeholder: 'Type a message…' }, '');
  const doc = {
    querySelectorAll(selector) {
      return { '[data-i18n]': [send], '[data-i18n-attr]': [box] }[selector];
    },
  };
  i18n.translatePage(doc, i18n.translator('fr', locales.fr));
  assert.equal(send.textContent, 'Envoyer');
  assert.equal(box.attrs.placeholder, 'Saisissez un message…');
  assert.equal(box.attrs['aria-label'], 'Message');
  assert.deepEqual(i18n.attributePairs(' title:a.b ;; nothing ; x: '), [{ attr: 'title', key: 'a.b' }]);
});

test('issue 17: a closed queue says when it opens on the customer\'s clock, in their words', () => {
  // Times built on this machine's own clock, as the customer's browser builds them.
  const now = new Date(2026, 11, 7, 20, 0).getTime(); // a Monday evening
  const at = (day, hour) => new Date(2026, 11, day, hour, 0).getTime();
  const en = i18n.translator('en', locales.en);
  const fr = i18n.translator('fr', locales.fr);
  const say = (t, lang, ms) => {
    const said = i18n.opening(lang, ms, now);
    return t(said.key, said.vars);
  };
  assert.equal(i18n.opening('en', at(7, 21), now).key, 'closed.back_today');
  assert.match(say(en, 'en', at(8, 9)), /^We are closed right now\. We are back tomorrow at 09:00 AM\.$/);
  assert.match(say(en, 'en', at(11, 9)), /back on Friday at 09:00 AM\./);
  assert.match(say(fr, 'fr', at(11, 9)), /de retour vendredi à 09:00\./);
  assert.match(say(en, 'en', at(28, 9)), /back on December 28 at 09:00 AM\./);
  assert.match(say(fr, 'fr', at(28, 9)), /de retour le 28 décembre à 09:00\./);
  assert.equal(say(en, 'en', null), 'We are closed right now.');
});

test('issue 17: the launcher waits for the opening only when the administrator hides it', () => {
  const now = 1_000_000;
  assert.deepEqual(loader.launcherPlan(null, now), { show: true, again: null }, 'no answer: drawn');
  assert.deepEqual(loader.launcherPlan({ open: true, hide_when_closed: true }, now).show, true);
  assert.deepEqual(loader.launcherPlan({ open: false, hide_when_closed: false }, now).show, true);
  assert.deepEqual(
    loader.launcherPlan({ open: false, hide_when_closed: true, opens_at_ms: now + 120_000 }, now),
    { show: false, again: 121_000 },
    'asked again a second after the opening',
  );
  assert.equal(loader.launcherPlan({ open: false, hide_when_closed: true, opens_at_ms: now + 10 }, now).again, 30_000);
  assert.equal(loader.launcherPlan({ open: false, hide_when_closed: true }, now).again, 3_600_000);
  assert.deepEqual(
    loader.launcherPlan({ open: false, hide_when_closed: true }, now, true),
    { show: true, again: null },
    'a chat opened in this tab keeps its button',
  );
});
