/* Switchboard widget translations: the words of the chat page in the language the host page
   asked for (the loader passes it as ?lang=). The words come from the server
   (/widget/i18n/<lang>.json, the app's own app/locales/<lang>/widget.json); English is kept
   here too, so a key the loaded file lacks, or a file that could not be loaded, still reads
   as English. Kept apart from the page (chat.js) so that a test loads it
   (end2end/unit/widget_i18n.test.cjs). Loaded in the page's head: a page to be shown in
   another language than the English it holds stays hidden until its words come (chat.js
   shows it). */
(function (root) {
  'use strict';

  var LANGUAGES = ['en', 'fr'];

  // The same as app/locales/en/widget.json (a unit test checks it, to the letter).
  var ENGLISH = {
    launcher: { title: 'Chat with us', close: 'Close chat' },
    page_title: 'Chat',
    header: { title: 'Chat with us' },
    prechat: {
      intro: 'Tell us who you are and what it is about; an agent will join you.',
      name: 'Name',
      email: 'Email',
      phone: 'Phone (optional)',
      problem: 'What is it about?',
      choose: 'Choose…',
      optional: '(optional)',
      start: 'Start chat',
      start_failed: 'The chat could not start. Please try again.',
      unreachable: 'The chat service cannot be reached. Please try again.',
      remembered: 'We remember this browser: with the same email address, the agent sees your earlier chats with us.',
      forget: 'Forget this browser',
      forgotten: 'This browser is forgotten: your next chat starts without the earlier ones.'
    },
    chat: {
      transcript_label: 'Conversation',
      message_label: 'Message',
      placeholder: 'Type a message…',
      send: 'Send',
      end: 'End chat',
      download: 'Download transcript',
      new_chat: 'Start a new chat',
      you: 'You',
      the_agent: 'The agent',
      sending: 'Sending…',
      typing: '{{ name }} is typing…',
      chars: '{{ given }} / {{ max }}',
      too_long_one: '{{ message }} ({{ count }} given)',
      too_long_other: '{{ message }} ({{ count }} given)'
    },
    status: {
      connecting: 'Connecting…',
      reconnecting: 'Reconnecting…',
      connected: 'Connected',
      ended: 'Chat ended'
    },
    notes: {
      joined: '{{ alias }} has joined the chat.',
      left: '{{ alias }} has left the chat.',
      inactivity_warning: 'Are you still there? The chat will end soon without a reply.',
      ended: {
        ended_by_customer: 'The customer ended the chat.',
        timed_out: 'The chat ended after a period of inactivity.',
        page_closed: "The agent's desktop closed; the chat has ended.",
        queue_timeout: 'This chat has ended.',
        window_closed: 'The chat window was closed before an agent could join, so this chat has ended. Start a new chat to reach us.',
        other: 'The chat has ended.'
      }
    },
    leave: {
      intro_no_agent: 'Nobody can take a chat about this right now. Leave us a message and we will answer you by email.',
      intro_queue_full: 'All our agents are busy right now. Leave us a message and we will answer you by email.',
      intro_waiting: 'Leave us a message and we will answer you by email. This chat will then end.',
      message: 'Your message',
      send: 'Send message',
      instead: 'Leave a message instead',
      sent_to: 'Thank you. Your message has been sent: we will answer you by email at {{ email }}. A confirmation is on its way to your inbox.',
      sent: 'Thank you. Your message has been sent: we will answer you by email. A confirmation is on its way to your inbox.',
      failed: 'The message could not be sent. Please try again.',
      intro_closed: 'Leave us a message and we will answer you by email.',
      files: 'Files (optional)',
      files_hint_one: 'Up to {{ count }} file of {{ each }} at most.',
      files_hint_other: 'Up to {{ count }} files, {{ each }} each, {{ total }} in all.',
      files_list: 'Files to send',
      remove_file: 'Remove {{ name }}',
      too_many_files_one: '“{{ name }}”: at most {{ count }} file.',
      too_many_files_other: '“{{ name }}”: at most {{ count }} files.',
      file_too_large: '“{{ name }}”: larger than the {{ max }} limit ({{ given }}).',
      files_too_large: '“{{ name }}”: the files would come to {{ given }}, over the {{ max }} limit together.',
      size_b: '{{ n }} B',
      size_kb: '{{ n }} KB',
      size_mb: '{{ n }} MB',
      remove: 'Remove'
    },
    closed: {
      later: 'We are closed right now.',
      back_today: 'We are closed right now. We are back today at {{ time }}.',
      back_tomorrow: 'We are closed right now. We are back tomorrow at {{ time }}.',
      back_on_day: 'We are closed right now. We are back on {{ day }} at {{ time }}.',
      back_on_date: 'We are closed right now. We are back on {{ date }} at {{ time }}.'
    },
    queue: {
      next: 'You are next in line.',
      place: 'You are number {{ position }} in line.',
      usual_under_a_minute: 'Chats like yours are usually answered within a minute.',
      usual_minutes_one: 'Chats like yours usually wait about {{ count }} minute.',
      usual_minutes_other: 'Chats like yours usually wait about {{ count }} minutes.'
    }
  };

  /* "fr", "fr-CA", "FR", "fr_CA" → 'fr'; a language the widget does not speak → null. */
  function language(tag) {
    if (typeof tag !== 'string') return null;
    var primary = tag.trim().split(/[-_]/)[0].toLowerCase();
    return LANGUAGES.indexOf(primary) === -1 ? null : primary;
  }

  /* The text at a dotted key ("chat.send") of nested objects, or null. */
  function lookup(dict, key) {
    var value = dict;
    var parts = key.split('.');
    for (var i = 0; i < parts.length; i++) {
      if (!value || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, parts[i])) return null;
      value = value[parts[i]];
    }
    return typeof value === 'string' ? value : null;
  }

  function pluralCategory(lang, count) {
    try {
      return new Intl.PluralRules(lang).select(count);
    } catch (err) {
      return count === 1 ? 'one' : 'other';
    }
  }

  /* With a numeric `count`, the plural form the language takes for it (key_one, key_other...;
     French: 0 and 1 are singular), else key_other; then the key itself. */
  function find(dict, lang, key, vars) {
    if (!dict) return null;
    if (vars && typeof vars.count === 'number') {
      var text = lookup(dict, key + '_' + pluralCategory(lang, vars.count));
      if (text === null) text = lookup(dict, key + '_other');
      if (text !== null) return text;
    }
    return lookup(dict, key);
  }

  /* {{ name }} → vars.name; a placeholder without its value stays as it is. */
  function interpolate(text, vars) {
    return text.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, function (whole, name) {
      return vars && vars[name] !== undefined && vars[name] !== null ? String(vars[name]) : whole;
    });
  }

  /* t(key, vars) in `lang` from `dict` (the loaded file; null when none), falling back to
     English, then to the key itself. */
  function translator(lang, dict) {
    return function t(key, vars) {
      var text = find(dict, lang, key, vars);
      if (text === null) text = find(ENGLISH, 'en', key, vars);
      return interpolate(text === null ? key : text, vars);
    };
  }

  /* The time of a line as the language writes it: "01:40 AM", "01:40". */
  function clock(lang, ms) {
    var date = new Date(ms);
    try {
      return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(date);
    } catch (err) {
      return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    }
  }

  /* Issue 17: a file's size as the language writes it, with t's units: "512 B", "14 KB",
     "3.2 MB" ("3,2 Mo"); rounded up below a megabyte, to a tenth above, as the server
     words its refusals. */
  function size(lang, t, bytes) {
    var KB = 1024, MB = KB * KB;
    var number = function (n) {
      try {
        return new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(n);
      } catch (err) {
        return String(Math.round(n * 10) / 10);
      }
    };
    if (bytes < KB) return t('leave.size_b', { n: number(bytes) });
    if (bytes < MB) return t('leave.size_kb', { n: number(Math.ceil(bytes / KB)) });
    return t('leave.size_mb', { n: number(bytes / MB) });
  }

  /* Issue 17: what a closed queue says of its opening (Unix ms, null when not soon), on the
     customer's own clock, as {key, vars} of the `closed` words: today, tomorrow, a weekday
     within the week, else a date. */
  function opening(lang, ms, now) {
    if (typeof ms !== 'number') return { key: 'closed.later', vars: {} };
    var at = new Date(ms), today = new Date(now);
    var dayOf = function (d) { return Math.round(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86400000); };
    var days = dayOf(at) - dayOf(today);
    var vars = { time: clock(lang, ms) };
    if (days <= 0) return { key: 'closed.back_today', vars: vars };
    if (days === 1) return { key: 'closed.back_tomorrow', vars: vars };
    try {
      if (days < 7) {
        vars.day = new Intl.DateTimeFormat(lang, { weekday: 'long' }).format(at);
        return { key: 'closed.back_on_day', vars: vars };
      }
      vars.date = new Intl.DateTimeFormat(lang, { month: 'long', day: 'numeric' }).format(at);
    } catch (err) {
      vars.date = at.toLocaleDateString();
    }
    return { key: 'closed.back_on_date', vars: vars };
  }

  /* data-i18n-attr="placeholder:chat.placeholder; aria-label:chat.message_label" →
     [{attr, key}...]. */
  function attributePairs(spec) {
    return String(spec || '').split(';').map(function (pair) {
      var at = pair.indexOf(':');
      return at === -1 ? null : { attr: pair.slice(0, at).trim(), key: pair.slice(at + 1).trim() };
    }).filter(function (p) { return p && p.attr && p.key; });
  }

  /* Every static text of the page: data-i18n (the element's text) and data-i18n-attr (its
     attributes). */
  function translatePage(doc, t) {
    var texts = doc.querySelectorAll('[data-i18n]');
    for (var i = 0; i < texts.length; i++) texts[i].textContent = t(texts[i].getAttribute('data-i18n'));
    var withAttributes = doc.querySelectorAll('[data-i18n-attr]');
    for (var j = 0; j < withAttributes.length; j++) {
      var el = withAttributes[j];
      attributePairs(el.getAttribute('data-i18n-attr')).forEach(function (p) { el.setAttribute(p.attr, t(p.key)); });
    }
  }

  /* url with name=value added to its query, whether it has one already or not. */
  function withQuery(url, name, value) {
    var hash = url.indexOf('#');
    var tail = hash === -1 ? '' : url.slice(hash);
    var head = hash === -1 ? url : url.slice(0, hash);
    var sep = head.indexOf('?') === -1 ? '?' : /[?&]$/.test(head) ? '' : '&';
    return head + sep + encodeURIComponent(name) + '=' + encodeURIComponent(value) + tail;
  }

  /* The page's language, from its address (?lang=, as the loader sets it); English without. */
  function fromSearch(search) {
    var match = /[?&]lang=([^&#]*)/.exec(search || '');
    var tag = null;
    if (match) {
      try { tag = decodeURIComponent(match[1]); } catch (err) { tag = null; }
    }
    return language(tag) || 'en';
  }

  var api = {
    languages: LANGUAGES,
    english: ENGLISH,
    language: language,
    fromSearch: fromSearch,
    translator: translator,
    clock: clock,
    size: size,
    opening: opening,
    attributePairs: attributePairs,
    translatePage: translatePage,
    withQuery: withQuery
  };
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  } else {
    root.SwitchboardI18n = api;
    // Hidden until the words come, rather than shown in English a moment first.
    if (fromSearch(root.location.search) !== 'en') root.document.documentElement.classList.add('translating');
  }
})(this);
