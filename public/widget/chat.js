/* Switchboard customer chat (inside the widget's iframe). Plain JavaScript: it runs on
   other people's sites, so it stays small. The server holds every rule; this page shows
   its per-field errors as they come. Nothing is lost on a dropped connection: every
   message carries an id of its own and is sent again until the server's copy comes back
   (the server stores it once), and the page resumes from the last line it has. It speaks
   the language the host page gave the loader (?lang=, i18n.js), and says it to the server. */
(function (protocol, i18n) {
  'use strict';
  // The language asked for; the page's words in it once loaded (English until then, and if
  // they cannot be loaded: the words the page holds).
  var lang = i18n.fromSearch(location.search);
  var shown = 'en';
  var t = i18n.translator('en', null);
  // English is in the page already; another language's words are waited for 3 s at most
  // (then English, as the page holds it), so a slow answer never holds up the chat.
  var fetched = lang === 'en' ? Promise.resolve() : fetch('/widget/i18n/' + lang + '.json').then(function (r) {
    if (!r.ok) throw new Error('no words for ' + lang);
    return r.json();
  }).then(function (dict) {
    t = i18n.translator(lang, dict);
    shown = lang;
    document.documentElement.lang = lang;
    i18n.translatePage(document, t);
  }).catch(function () { /* English, as the page holds it */ });
  var words = Promise.race([fetched, new Promise(function (done) { setTimeout(done, 3000); })]).then(reveal);
  // Never hidden for long, whatever the network does.
  var revealTimer = setTimeout(reveal, 3000);
  function reveal() {
    clearTimeout(revealTimer);
    document.documentElement.classList.remove('translating');
  }

  // The widget's API, told the customer's language (the server words its refusals in it).
  function api(path, init) {
    init = init || {};
    var headers = init.headers || {};
    headers['Accept-Language'] = lang;
    init.headers = headers;
    return fetch(path, init);
  }

  // SPEC P-1: the limits and their wording come from the server (/widget/api/config),
  // which checks every message again whatever this page does.
  var limits = null, leaveOffered = false;
  // A refusal (too many requests from this address) keeps the server's words and when to
  // ask again, as { refused: sentence, retryAfter: seconds }; anything else unreadable is
  // the service out of reach.
  function loadConfig() {
    var loaded = api('/widget/api/config').then(function (r) {
      return r.json().then(function (body) {
        if (r.ok) return body;
        var said = null;
        try { said = protocol.readRefusal(body).message; } catch (e) { /* not a refusal */ }
        throw { refused: said, retryAfter: Number(r.headers.get('Retry-After')) || null };
      });
    }).then(protocol.readConfig);
    loaded.then(function (cfg) { limits = cfg.limits; leaveOffered = cfg.leave_message; }).catch(function () {});
    return loaded;
  }
  var config = loadConfig();
  var fields = []; // SPEC K-2: the administrator's own questions, as last loaded
  var $ = function (s) { return document.querySelector(s); };
  var form = $('.prechat'), chat = $('.chat'), transcript = $('.transcript');
  var typingLine = $('.typing'), status = $('.status'), box = $('#message');
  var st = { cursor: 0, seen: {}, pending: [], ws: null, ended: false, attempt: 0, alias: null, typingTimer: null, typing: false };

  function setStatus(text) { status.textContent = text; }

  function showChat() { form.hidden = true; chat.hidden = false; box.focus(); }

  function time(ms) { return i18n.clock(shown, ms); }

  function lineElement(kind, who, text, at) {
    var li = document.createElement('li');
    li.className = 'line ' + kind;
    var meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = (who ? who + ' · ' : '') + time(at);
    li.appendChild(meta);
    li.appendChild(document.createTextNode(text));
    return li;
  }

  function renderPending() {
    var old = transcript.querySelectorAll('.sending');
    for (var i = 0; i < old.length; i++) old[i].remove();
    st.pending.forEach(function (p) {
      var li = lineElement('customer sending', t('chat.sending'), p.text, Date.now());
      transcript.appendChild(li);
    });
    transcript.scrollTop = transcript.scrollHeight;
  }

  // A line read by protocol.read.
  function addLine(line) {
    if (st.seen[line.seq]) return;
    // Lines missing before this one: ask for everything after the last one held; the
    // server sends them in order (SPEC K-3).
    if (line.seq > st.cursor + 1) { send(protocol.commands.hello(st.cursor)); return; }
    st.seen[line.seq] = true;
    st.cursor = Math.max(st.cursor, line.seq);
    var li;
    if (line.kind === 'customer') {
      li = lineElement('customer', t('chat.you'), line.text, line.at_ms);
      st.pending = st.pending.filter(function (p) { return p.client_id !== line.client_id; });
    } else if (line.kind === 'agent') {
      li = lineElement('agent', line.who, line.text, line.at_ms);
      typingLine.hidden = true;
    } else {
      if (line.joined) {
        st.alias = line.joined;
        $('.leave-instead').hidden = true;
        $('.queue').hidden = true;
        // An agent joined while the customer wrote a message to leave: the chat it is, with
        // what they wrote in its box.
        if (leaving === 'after_wait') {
          var typed = form.left_message.value;
          backToChat();
          if (typed.trim() && !box.value.trim()) box.value = typed;
        }
      }
      // K-5: nobody joined in time: the customer may leave a message instead of waiting.
      if (line.note && line.note.kind === 'no_agent' && !st.alias && !st.ended && leaveOffered) {
        $('.leave-instead').hidden = false;
      }
      // The page's own words where it knows the note, else the server's text; a line this
      // version cannot read and has no text for only moves the cursor on.
      var own = protocol.noteKey(line.note);
      var text = own ? t(own.key, own.vars) : line.text;
      if (!text) { renderPending(); return; }
      li = lineElement('system', '', text, line.at_ms);
    }
    transcript.appendChild(li);
    renderPending();
  }

  function send(obj) {
    if (st.ws && st.ws.readyState === WebSocket.OPEN) st.ws.send(JSON.stringify(obj));
  }

  function ended() {
    st.ended = true;
    box.disabled = true;
    $('.composer button').disabled = true;
    $('.end').hidden = true;
    $('.leave-instead').hidden = true;
    $('.queue').hidden = true;
    // The transcript's system lines in the widget's language (a link sends no header of ours).
    $('.download').href = i18n.withQuery('/widget/api/transcript', 'lang', lang);
    $('.download').hidden = false;
    $('.new-chat').hidden = false;
    typingLine.hidden = true;
    setStatus(t('status.ended'));
  }

  // Issue 17: after a chat ends, another may start from the same page (the form again,
  // empty of errors; the browser still remembered as the customer).
  var formLoaded = false;
  function newChat() {
    var old = st.ws;
    clearTimeout(st.typingTimer);
    leaveId = null;
    st = { cursor: 0, seen: {}, pending: [], ws: null, ended: false, attempt: 0, alias: null, typingTimer: null, typing: false };
    if (old) old.close();
    transcript.textContent = '';
    box.disabled = false;
    box.value = '';
    $('.composer button').disabled = false;
    $('.end').hidden = false;
    $('.download').hidden = true;
    $('.new-chat').hidden = true;
    // The chat just started remembered the browser again.
    $('.remembered').hidden = false;
    $('.remembered-text').textContent = t('prechat.remembered');
    $('.forget').hidden = false;
    $('.forget').disabled = false;
    setStatus('');
    fieldErrors([]);
    $('.form-error').textContent = '';
    chat.hidden = true;
    form.hidden = false;
    if (!formLoaded) loadForm();
    else form.name.focus();
  }
  $('.new-chat').addEventListener('click', newChat);

  function handle(msg) {
    switch (msg.type) {
      case 'line': addLine(msg); break;
      case 'synced':
        st.attempt = 0;
        setStatus(t('status.connected'));
        // Messages not confirmed yet go again, in order; the server keeps one of each.
        st.pending.forEach(function (p) { send(protocol.commands.send(p.client_id, p.text)); });
        break;
      case 'typing':
        typingLine.textContent = t('chat.typing', { name: st.alias || t('chat.the_agent') });
        typingLine.hidden = !msg.active;
        break;
      case 'ended': ended(); break;
      case 'queue': showPlace(msg); break;
      case 'rejected': rejected(msg); break;
    }
  }

  // Issue 17: the customer's place in line while no agent has joined, and how long chats
  // like theirs usually wait (once the server can say).
  function showPlace(msg) {
    if (st.alias || st.ended) return;
    var words = msg.position <= 1 ? t('queue.next') : t('queue.place', { position: msg.position });
    if (msg.usual_wait_secs !== null) {
      words += ' ' + (msg.usual_wait_secs < 60
        ? t('queue.usual_under_a_minute')
        : t('queue.usual_minutes', { count: Math.round(msg.usual_wait_secs / 60) }));
    }
    var place = $('.queue');
    place.textContent = words;
    place.hidden = false;
  }

  // A refused message leaves the pending list and goes back to the box, so nothing typed
  // is lost; the server's message says why.
  function rejected(msg) {
    setStatus(msg.message);
    if (!msg.client_id) return;
    var refused = st.pending.filter(function (p) { return p.client_id === msg.client_id; })[0];
    if (!refused) return;
    st.pending = st.pending.filter(function (p) { return p !== refused; });
    renderPending();
    if (!box.value.trim()) box.value = refused.text;
    else if (box.value.indexOf(refused.text) === -1) box.value = refused.text + '\n' + box.value;
    showCount();
  }

  function charCount(text) { return Array.from(text).length; }

  // Near the limit, how many characters are left; past it, the server's wording.
  function showCount() {
    var counter = $('.count');
    if (!limits) { counter.hidden = true; return; }
    var n = charCount(box.value), max = limits.message_chars;
    counter.hidden = n < max * 0.8;
    counter.classList.toggle('over', n > max);
    counter.textContent = n > max
      ? t('chat.too_long', { message: limits.message_too_long, count: n })
      : t('chat.chars', { given: n, max: max });
  }

  function connect() {
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host +
      i18n.withQuery('/widget/ws?v=' + protocol.version, 'lang', lang));
    st.ws = ws;
    setStatus(t(st.attempt ? 'status.reconnecting' : 'status.connecting'));
    ws.onopen = function () { ws.send(JSON.stringify(protocol.commands.hello(st.cursor))); };
    ws.onmessage = function (e) {
      var msg;
      try { msg = protocol.read(JSON.parse(e.data)); } catch (err) { return; /* not for this version */ }
      handle(msg);
    };
    ws.onclose = function (e) {
      if (st.ws !== ws || st.ended) return;
      if (e.code === protocol.otherVersionCloseCode) loadAgain();
      setStatus(t('status.reconnecting'));
      var delay = Math.min(250 * Math.pow(2, st.attempt++), 5000);
      setTimeout(connect, delay);
    };
  }

  // A server of another version closes the socket with this code (an upgrade while the
  // chat is open): the frame loads again to get the server's code, keeping the messages not
  // confirmed yet (sent again once connected, stored once) and the text in the box; at most
  // once a minute, and meanwhile it keeps trying (the next node may be of this version).
  var KEPT = 'switchboard.widget.kept', RELOADED_AT = 'switchboard.widget.reloaded_at';
  function loadAgain() {
    try {
      var now = Date.now(), last = Number(sessionStorage.getItem(RELOADED_AT));
      if (last && now - last < 60000) return;
      sessionStorage.setItem(RELOADED_AT, String(now));
      sessionStorage.setItem(KEPT, JSON.stringify({ pending: st.pending, box: box.value }));
      location.reload();
    } catch (err) { /* no storage (a blocked third-party frame): keep trying instead */ }
  }
  // Read (and forgotten) at every load, whatever comes next: kept for one chat, it must
  // never reach a later one.
  var kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(KEPT) || 'null');
    sessionStorage.removeItem(KEPT);
  } catch (err) { /* nothing kept */ }
  function restoreKept() {
    if (!kept) return;
    st.pending = kept.pending || [];
    if (kept.box) box.value = kept.box;
    kept = null;
    renderPending();
  }

  function newId() {
    return 'k' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  // Each error beside its input; one for an input this page does not have (an older copy
  // of the page, a question it could not load) on the form's own line, so no refusal goes
  // unexplained. The first input at fault takes the focus.
  function fieldErrors(errors) {
    var all = form.querySelectorAll('.field-error');
    for (var i = 0; i < all.length; i++) all[i].textContent = '';
    var inputs = form.querySelectorAll('input, select, textarea');
    for (var j = 0; j < inputs.length; j++) inputs[j].removeAttribute('aria-invalid');
    var unplaced = [], first = null;
    (errors || []).forEach(function (e) {
      var slot = form.querySelector('.field-error[data-for="' + e.field + '"]');
      var input = form.querySelector('[name="' + e.field + '"]');
      if (slot) slot.textContent = e.message; else unplaced.push(e.message);
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        // Its error joins what already describes it (a hint stays).
        var described = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
        if (slot && described.indexOf(slot.id) === -1) described.push(slot.id);
        input.setAttribute('aria-describedby', described.join(' '));
        if (!first) first = input;
      }
    });
    $('.form-error').textContent = unplaced.join(' ');
    if (first) first.focus();
  }

  // An input edited after a refusal no longer says it is at fault (its words go too).
  form.addEventListener('input', function (e) {
    var input = e.target;
    if (!input.name || input.getAttribute('aria-invalid') !== 'true') return;
    input.removeAttribute('aria-invalid');
    var slot = form.querySelector('.field-error[data-for="' + input.name + '"]');
    if (slot) slot.textContent = '';
  });

  // The pre-chat form as typed.
  function typedForm() {
    var problem = parseInt(form.problem.value, 10);
    var answers = fields.map(function (f) {
      var input = form.elements['answer-' + f.id];
      return { field: f.id, value: input ? input.value : '' };
    });
    return protocol.prechat(
      form.name.value, form.email.value, form.phone.value, isNaN(problem) ? null : problem, answers
    );
  }

  function post(path, body) {
    return api(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    });
  }

  function refusalOf(body) {
    try { return protocol.readRefusal(body); } catch (err) { return { code: '', message: '', errors: [] }; }
  }

  // Issue 17 (K-4, K-5): a message left instead of a chat. 'form': with the pre-chat
  // details (nobody can take the chat now); 'after_wait': the message only (the chat the
  // cookie holds, still waiting, gives the details and ends). The same id goes with every
  // attempt, so a message sent again after a lost answer is stored once.
  var leaving = null, leaveId = null;
  function offerLeave(kind, intro) {
    leaving = kind;
    leaveId = leaveId || newId();
    chat.hidden = true;
    form.hidden = false;
    $('.intro:not(.leave-intro)').hidden = true;
    $('.leave-intro').textContent = intro;
    $('.closed-note').hidden = true;
    $('.leave-label').textContent = t('leave.message');
    $('.contact-part').hidden = kind === 'after_wait';
    $('.leave-part').hidden = false;
    $('.submit').textContent = t('leave.send');
    var area = form.elements.left_message;
    if (limits && limits.left_message_chars) area.maxLength = limits.left_message_chars;
    $('.files-part').hidden = !(limits && limits.files);
    if (limits && limits.files) {
      $('.files-hint').textContent = t('leave.files_hint', {
        count: limits.files, each: sizeOf(limits.file_bytes), total: sizeOf(limits.files_bytes)
      });
    }
    area.focus();
  }

  // Issue 17 (K-4): the files that go with the message, kept here (each pick of the input
  // adds to them); one the limits refuse is named with the limit, and the others stay.
  var chosenFiles = [];
  var fileInput = form.elements.attachment;
  function sizeOf(bytes) { return i18n.size(shown, t, bytes); }
  fileInput.addEventListener('change', function () {
    var refused = null;
    Array.prototype.forEach.call(fileInput.files, function (file) {
      var refusal = limits ? protocol.fileRefusal(chosenFiles, file, limits) : null;
      if (refusal) {
        if (!refused) {
          var vars = refusal.vars;
          if (vars.max !== undefined) { vars.max = sizeOf(vars.max); vars.given = sizeOf(vars.given); }
          refused = t(refusal.key, vars);
        }
        return;
      }
      chosenFiles.push(file);
    });
    fileInput.value = '';
    showFiles();
    $('#e-files').textContent = refused || '';
    if (refused) fileInput.setAttribute('aria-invalid', 'true'); else fileInput.removeAttribute('aria-invalid');
  });

  function showFiles() {
    var list = $('.chosen-files');
    list.textContent = '';
    chosenFiles.forEach(function (file, at) {
      var item = document.createElement('li');
      var name = document.createElement('span');
      name.className = 'file-name';
      name.textContent = file.name;
      var size = document.createElement('span');
      size.className = 'file-size';
      size.textContent = sizeOf(file.size);
      var remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'remove-file';
      remove.textContent = t('leave.remove');
      remove.setAttribute('aria-label', t('leave.remove_file', { name: file.name }));
      remove.addEventListener('click', function () {
        chosenFiles.splice(at, 1);
        $('#e-files').textContent = '';
        fileInput.removeAttribute('aria-invalid');
        showFiles();
        fileInput.focus();
      });
      item.appendChild(name);
      item.appendChild(size);
      item.appendChild(remove);
      list.appendChild(item);
    });
    list.hidden = chosenFiles.length === 0;
  }

  // The message alone as JSON; with files, as multipart: the message first (the server
  // checks it before reading a file), then each file.
  function postLeft(left) {
    if (!chosenFiles.length) return post('/widget/api/message', left);
    var body = new FormData();
    body.append('left', new Blob([JSON.stringify(left)], { type: 'application/json' }));
    chosenFiles.forEach(function (file) { body.append('file', file, file.name); });
    return api('/widget/api/message/with-files', { method: 'POST', credentials: 'same-origin', body: body })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      });
  }

  function sendLeft(button) {
    var kind = leaving;
    var details = kind === 'form' ? typedForm() : null;
    postLeft(protocol.leftMessage(details, form.left_message.value, leaveId)).then(function (res) {
      button.disabled = false;
      if (res.ok) { fieldErrors([]); messageLeft(details && details.email.trim()); return; }
      var refusal = refusalOf(res.body);
      // An agent took the chat meanwhile: back to it.
      if (kind === 'after_wait' && refusal.code === 'not_found') { backToChat(); return; }
      fieldErrors(refusal.errors);
      if (!refusal.errors.length) $('.form-error').textContent = refusal.message || t('leave.failed');
    }).catch(function () {
      button.disabled = false;
      $('.form-error').textContent = t('prechat.unreachable');
    });
  }

  function messageLeft(email) {
    leaving = null;
    chosenFiles = [];
    showFiles();
    st.ended = true;
    if (st.ws) st.ws.close();
    form.hidden = true;
    chat.hidden = true;
    $('.left-done').textContent = email ? t('leave.sent_to', { email: email }) : t('leave.sent');
    $('.left').hidden = false;
    setStatus('');
  }

  function backToChat() {
    leaving = null;
    $('.leave-instead').hidden = true;
    $('.leave-part').hidden = true;
    $('.contact-part').hidden = false;
    $('.intro:not(.leave-intro)').hidden = false;
    $('.submit').textContent = t('prechat.start');
    fieldErrors([]);
    form.hidden = true;
    showChat();
  }

  $('.leave-instead').addEventListener('click', function () { offerLeave('after_wait', t('leave.intro_waiting')); });

  // Issue 17: what a closed queue says of its opening, in the customer's time and words.
  function closedWords(opensAtMs) {
    var said = i18n.opening(shown, opensAtMs, Date.now());
    return t(said.key, said.vars);
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var button = $('.submit');
    button.disabled = true;
    $('.form-error').textContent = '';
    if (leaving) { sendLeft(button); return; }
    post('/widget/api/start', typedForm()).then(function (res) {
      button.disabled = false;
      if (res.ok) { fieldErrors([]); showChat(); connect(); return; }
      var refusal = refusalOf(res.body);
      // K-4: nobody can take the chat: a message instead, the form kept as typed.
      if (leaveOffered && (refusal.code === 'no_agent' || refusal.code === 'queue_full')) {
        fieldErrors([]);
        offerLeave('form', t(refusal.code === 'no_agent' ? 'leave.intro_no_agent' : 'leave.intro_queue_full'));
        return;
      }
      // Issue 17: outside the queue's business hours: when it opens, and a message instead
      // when one can be left.
      if (refusal.code === 'closed') {
        fieldErrors([]);
        var words = closedWords(refusal.opens_at_ms);
        if (leaveOffered) offerLeave('form', words + ' ' + t('leave.intro_closed'));
        else $('.form-error').textContent = words;
        return;
      }
      // An answer refused may be to a question added or changed since the form loaded:
      // show the questions as they are now (what was typed stays), then say what is wrong.
      var answersRefused = refusal.errors.some(function (e) { return e.field.indexOf('answer-') === 0; });
      if (answersRefused) {
        loadConfig().then(function (cfg) { renderFields(cfg.fields); fieldErrors(refusal.errors); })
          .catch(function () { fieldErrors(refusal.errors); });
      } else {
        fieldErrors(refusal.errors);
      }
      if (!refusal.errors.length) {
        $('.form-error').textContent = refusal.message || t('prechat.start_failed');
      }
    }).catch(function () {
      button.disabled = false;
      $('.form-error').textContent = t('prechat.unreachable');
    });
  });

  $('.composer').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = box.value;
    if (!text.trim() || st.ended) return;
    if (limits && charCount(text) > limits.message_chars) { showCount(); box.focus(); return; }
    var p = { client_id: newId(), text: text };
    st.pending.push(p);
    box.value = '';
    showCount();
    stopTyping();
    renderPending();
    send(protocol.commands.send(p.client_id, p.text));
  });

  box.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('.composer').requestSubmit(); }
  });

  function stopTyping() {
    clearTimeout(st.typingTimer);
    if (st.typing) { st.typing = false; send(protocol.commands.typing(false)); }
  }

  box.addEventListener('input', function () {
    showCount();
    if (!st.typing) { st.typing = true; send(protocol.commands.typing(true)); }
    clearTimeout(st.typingTimer);
    st.typingTimer = setTimeout(stopTyping, 3000);
  });

  $('.end').addEventListener('click', function () { send(protocol.commands.end()); });

  // The administrator's questions after the problem, each labelled, "(optional)" when it is;
  // values already typed in a question that is still there are kept.
  function renderFields(list) {
    var box = form.querySelector('.answers');
    var typed = {};
    fields.forEach(function (f) {
      var old = form.elements['answer-' + f.id];
      if (old) typed[f.id] = old.value;
    });
    box.textContent = '';
    fields = list;
    list.forEach(function (f) {
      var name = 'answer-' + f.id;
      var label = document.createElement('label');
      label.htmlFor = 'f-' + name;
      label.textContent = f.label;
      if (!f.required) {
        var opt = document.createElement('span');
        opt.className = 'optional';
        opt.textContent = ' ' + t('prechat.optional');
        label.appendChild(opt);
      }
      var input;
      if (f.kind === 'choice') {
        input = document.createElement('select');
        var first = document.createElement('option');
        first.value = ''; first.textContent = t('prechat.choose');
        input.appendChild(first);
        f.choices.forEach(function (c) {
          var o = document.createElement('option');
          o.value = c; o.textContent = c;
          input.appendChild(o);
        });
      } else {
        input = document.createElement('input');
        input.type = f.kind === 'email' ? 'email' : f.kind === 'phone' ? 'tel' : 'text';
        if (f.kind === 'text' && limits && limits.answer_chars) input.maxLength = limits.answer_chars;
      }
      input.id = 'f-' + name;
      input.name = name;
      input.required = f.required;
      if (typed[f.id] !== undefined) input.value = typed[f.id];
      var error = document.createElement('p');
      error.className = 'field-error';
      error.id = 'e-' + name;
      error.setAttribute('data-for', name);
      box.appendChild(label);
      box.appendChild(input);
      box.appendChild(error);
    });
  }

  function loadForm() {
    formLoaded = true;
    config.then(function (cfg) {
      renderFields(cfg.fields);
      var select = form.problem;
      var first = document.createElement('option');
      first.value = ''; first.textContent = t('prechat.choose');
      select.appendChild(first);
      cfg.problems.forEach(function (p) {
        var o = document.createElement('option');
        o.value = p.id; o.textContent = p.label;
        select.appendChild(o);
      });
      if (!showOpening(cfg.problems)) form.name.focus();
    }).catch(function (e) {
      $('.form-error').textContent = (e && e.refused) || t('prechat.unreachable');
      // Turned away for a while: the form is asked for again once the wait is over.
      if (e && e.retryAfter) {
        setTimeout(function () {
          config = loadConfig();
          config.then(function () { $('.form-error').textContent = ''; }, function () {});
          loadForm();
        }, e.retryAfter * 1000);
      }
    });
  }

  // Issue 17: every queue closed: said at once, with the message form when one can be left
  // (the soonest opening; true: its box has the focus); one closed: said under the choice
  // when it is chosen.
  function showOpening(problems) {
    var closed = problems.filter(function (p) { return !p.open; });
    if (problems.length && closed.length === problems.length) {
      var soonest = closed.map(function (p) { return p.opens_at_ms; })
        .filter(function (ms) { return ms !== null; })
        .sort(function (a, b) { return a - b; })[0];
      var words = closedWords(soonest === undefined ? null : soonest);
      if (leaveOffered) { offerLeave('form', words + ' ' + t('leave.intro_closed')); return true; }
      // Nothing can be done before the opening: the form waits, said why.
      var note = $('.closed-note');
      note.textContent = words;
      note.hidden = false;
      var controls = form.querySelectorAll('input, select, textarea, button:not(.forget)');
      for (var i = 0; i < controls.length; i++) controls[i].disabled = true;
      note.tabIndex = -1;
      note.focus();
      // The form comes back at the opening (within a day), the page loaded again.
      if (soonest !== undefined && soonest - Date.now() < 86400000) {
        setTimeout(function () { location.reload(); }, Math.max(soonest - Date.now(), 0) + 1000);
      }
      return true;
    }
    form.problem.addEventListener('change', function () {
      var chosen = problems.filter(function (p) { return String(p.id) === form.problem.value; })[0];
      var hint = $('#h-problem');
      hint.hidden = !chosen || chosen.open;
      hint.textContent = hint.hidden ? '' : closedWords(chosen.opens_at_ms);
    });
    return false;
  }

  // A reloaded widget resumes the chat its cookie holds. Asked with the configuration and
  // the words; what it shows waits for the words.
  // Turned away for a while (too many requests from this address), it is asked again after
  // the wait: a chat going on must not be taken for none.
  function loadSession() {
    return api('/widget/api/session', { credentials: 'same-origin' }).then(function (r) {
      if (r.status === 429) {
        var wait = (Number(r.headers.get('Retry-After')) || 5) * 1000;
        return new Promise(function (resolve) { setTimeout(resolve, wait); }).then(loadSession);
      }
      return r.ok ? r.json() : null;
    });
  }
  var session = loadSession();
  Promise.all([session, words]).then(function (both) {
    var s = both[0];
    $('.remembered').hidden = !(s && s.remembered);
    if (s && s.chat) { showChat(); restoreKept(); connect(); } else { loadForm(); }
  }).catch(function () { words.then(loadForm); });

  // Issue 17: the customer may have this browser forgotten (their next chat is a new
  // customer's, without the earlier ones).
  $('.forget').addEventListener('click', function () {
    var button = this;
    button.disabled = true;
    api('/widget/api/forget', { method: 'POST', credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error('not forgotten');
      $('.remembered-text').textContent = t('prechat.forgotten');
      button.hidden = true;
    }).catch(function () {
      button.disabled = false;
      $('.form-error').textContent = t('prechat.unreachable');
    });
  });
})(window.SwitchboardProtocol, window.SwitchboardI18n);
