/* Switchboard widget protocol: how the widget reads what the server sends and writes what it
   sends back. Kept apart from the page (chat.js) so that a test reads the samples the Rust
   types produce (protocol.samples.json, end2end/unit/widget_protocol.test.cjs) with this very
   code: a field renamed on one side fails a test, not a customer. Every reader checks the
   fields it uses and throws on a message it cannot read. */
(function (root) {
  'use strict';

  function need(value, type, what) {
    if (typeof value !== type) throw new Error(what + ': expected a ' + type + ', got ' + typeof value);
    return value;
  }

  function optional(value, type, what) {
    return value === undefined || value === null ? null : need(value, type, what);
  }

  /* A transcript line: who wrote it ('customer', 'agent' or 'system'), the text to show,
     and for system lines the alias of an agent who joined (the typing notice names them) and
     the note itself ({kind, alias, reason}), which the page words in its own language
     ([noteKey]); the server's text stays for what it cannot. */
  function readLine(msg) {
    var line = need(msg.line, 'object', 'line');
    var body = need(line.body, 'object', 'line.body');
    var out = {
      type: 'line',
      seq: need(line.seq, 'number', 'line.seq'),
      at_ms: need(line.at_ms, 'number', 'line.at_ms'),
      text: need(msg.text, 'string', 'text'),
      kind: 'system',
      who: '',
      client_id: null,
      joined: null,
      note: null
    };
    if (need(body.type, 'string', 'line.body.type') === 'message') {
      var author = need(body.author, 'object', 'line.body.author');
      out.kind = need(author.kind, 'string', 'line.body.author.kind');
      out.who = out.kind === 'agent' ? need(author.alias, 'string', 'line.body.author.alias') : '';
      out.client_id = need(body.client_id, 'string', 'line.body.client_id');
    } else {
      var note = need(body.note, 'object', 'line.body.note');
      if (need(note.note, 'string', 'line.body.note.note') === 'joined') {
        out.joined = need(note.alias, 'string', 'line.body.note.alias');
      }
      out.note = {
        kind: note.note,
        alias: typeof note.alias === 'string' ? note.alias : null,
        reason: typeof note.reason === 'string' ? note.reason : null
      };
    }
    return out;
  }

  /* How a chat ended (the server's EndReason): those with words of their own, and those it
     words as "The chat has ended." (app/src/domain/chat.rs, SystemNote::text). */
  var endedWords = ['ended_by_customer', 'timed_out', 'page_closed', 'queue_timeout', 'window_closed'];
  var endedOtherwise = ['ended_by_agent', 'abandoned', 'sent', 'discarded', 'requeued'];

  /* The page's own words for a system note: a key of widget.json with its values
     ({key: 'notes.joined', vars: {alias: 'Alex'}}), so the customer reads it in the page's
     language. null for the administrator's own texts (welcome, no_agent, queue_timeout: shown
     as the server sends them) and for a note or a reason this version does not know (the
     server's text then). */
  function noteKey(note) {
    if (!note) return null;
    switch (note.kind) {
      case 'joined':
      case 'left':
        return typeof note.alias === 'string' ? { key: 'notes.' + note.kind, vars: { alias: note.alias } } : null;
      case 'inactivity_warning':
        return { key: 'notes.inactivity_warning', vars: {} };
      case 'ended':
        if (endedWords.indexOf(note.reason) !== -1) return { key: 'notes.ended.' + note.reason, vars: {} };
        if (endedOtherwise.indexOf(note.reason) !== -1) return { key: 'notes.ended.other', vars: {} };
        return null;
      default:
        return null;
    }
  }

  /* A line this page cannot read (a newer server's kind, a field missing) still holds its
     place in the transcript: shown as a plain notice with the server's text, so that the
     lines after it are not held back waiting for it. Without a seq it is refused. */
  function readLineAnyway(msg) {
    try {
      return readLine(msg);
    } catch (err) {
      var line = msg.line || {};
      need(line.seq, 'number', 'line.seq');
      return {
        type: 'line',
        seq: line.seq,
        at_ms: typeof line.at_ms === 'number' ? line.at_ms : Date.now(),
        text: typeof msg.text === 'string' ? msg.text : '',
        kind: 'system',
        who: '',
        client_id: null,
        joined: null,
        note: null,
        unreadable: String(err.message || err)
      };
    }
  }

  /* A message from the server, flattened to what the page uses; an unknown type is
     {type: 'unknown'} (a newer server may send more). */
  function read(msg) {
    need(msg, 'object', 'message');
    switch (need(msg.type, 'string', 'type')) {
      case 'line': return readLineAnyway(msg);
      case 'synced': return { type: 'synced', seq: need(msg.seq, 'number', 'seq') };
      case 'typing': return { type: 'typing', active: need(msg.active, 'boolean', 'active') };
      case 'ended': return { type: 'ended' };
      case 'queue':
        return {
          type: 'queue',
          position: need(msg.position, 'number', 'position'),
          usual_wait_secs: optional(msg.usual_wait_secs, 'number', 'usual_wait_secs')
        };
      case 'rejected':
        return {
          type: 'rejected',
          message: need(msg.message, 'string', 'message'),
          client_id: optional(msg.client_id, 'string', 'client_id')
        };
      default: return { type: 'unknown' };
    }
  }

  /* One of the administrator's pre-chat fields: kind 'text', 'email', 'phone' or 'choice'
     (an unknown kind reads as text, so a newer server's field is still answered). */
  function readField(f) {
    var kind = need(f.kind, 'string', 'field.kind');
    return {
      id: need(f.id, 'number', 'field.id'),
      label: need(f.label, 'string', 'field.label'),
      kind: ['text', 'email', 'phone', 'choice'].indexOf(kind) === -1 ? 'text' : kind,
      required: need(f.required, 'boolean', 'field.required'),
      choices: (optional(f.choices, 'object', 'field.choices') || []).map(function (c) {
        return need(c, 'string', 'field.choices[]');
      })
    };
  }

  /* /widget/api/config: the pre-chat form's choices and fields, and the message limit with
     its wording. */
  function readConfig(cfg) {
    need(cfg, 'object', 'config');
    var limits = need(cfg.limits, 'object', 'limits');
    return {
      // Issue 17: a problem whose queue is outside its business hours is closed, and says
      // when it opens again (null: not soon). An older server says nothing: open.
      problems: need(cfg.problems, 'object', 'problems').map(function (p) {
        return {
          id: need(p.id, 'number', 'problem.id'),
          label: need(p.label, 'string', 'problem.label'),
          open: optional(p.open, 'boolean', 'problem.open') !== false,
          opens_at_ms: optional(p.opens_at_ms, 'number', 'problem.opens_at_ms')
        };
      }),
      fields: (optional(cfg.fields, 'object', 'fields') || []).map(readField),
      limits: {
        message_chars: need(limits.message_chars, 'number', 'limits.message_chars'),
        message_too_long: need(limits.message_too_long, 'string', 'limits.message_too_long'),
        answer_chars: optional(limits.answer_chars, 'number', 'limits.answer_chars'),
        left_message_chars: optional(limits.left_message_chars, 'number', 'limits.left_message_chars'),
        // Issue 17 (K-4): files with a left message, as with a reply (SPEC A-1).
        files: optional(limits.files, 'number', 'limits.files') || 0,
        file_bytes: optional(limits.file_bytes, 'number', 'limits.file_bytes') || 0,
        files_bytes: optional(limits.files_bytes, 'number', 'limits.files_bytes') || 0
      },
      // A message can be left when no agent can take the chat (issue 17, K-4).
      leave_message: optional(cfg.leave_message, 'boolean', 'leave_message') === true
    };
  }

  /* A refusal from any route (/widget/api/start...): the sentence to show, and each field
     at fault with its message. */
  function readRefusal(body) {
    need(body, 'object', 'refusal');
    return {
      // queue_full, no_agent and closed: the page offers to leave a message instead.
      code: need(body.error, 'string', 'error'),
      message: need(body.message, 'string', 'message'),
      // closed: when the queue opens again (null: not soon).
      opens_at_ms: optional(body.opens_at_ms, 'number', 'opens_at_ms'),
      errors: (optional(body.errors, 'object', 'errors') || []).map(function (e) {
        return { field: need(e.field, 'string', 'errors.field'), message: need(e.message, 'string', 'errors.message') };
      })
    };
  }

  var commands = {
    hello: function (resumeAfter) { return { type: 'hello', resume_after: resumeAfter }; },
    send: function (clientId, text) { return { type: 'send', client_id: clientId, text: text }; },
    typing: function (active) { return { type: 'typing', active: active }; },
    end: function () { return { type: 'end' }; }
  };

  /* The pre-chat form as /widget/api/start reads it; answers are {field: id, value}. */
  function prechat(name, email, phone, problem, answers) {
    return { name: name, email: email, phone: phone, problem: problem, answers: answers || [] };
  }

  /* A message left instead of a chat (/widget/api/message): with the pre-chat form, or with
     none after waiting (the chat the cookie holds gives the details). */
  function leftMessage(form, message, clientId) {
    return { form: form, message: message, client_id: clientId };
  }

  /* Issue 17 (K-4): why `file` ({name, size}) cannot join the files already `chosen`
     under the configuration's `limits` (the server checks again, as it streams), as
     {key, vars} of the widget's words; null when it can. */
  function fileRefusal(chosen, file, limits) {
    if (chosen.length >= limits.files) {
      return { key: 'leave.too_many_files', vars: { name: file.name, count: limits.files } };
    }
    if (file.size > limits.file_bytes) {
      return { key: 'leave.file_too_large', vars: { name: file.name, max: limits.file_bytes, given: file.size } };
    }
    var total = chosen.reduce(function (sum, f) { return sum + f.size; }, 0) + file.size;
    if (total > limits.files_bytes) {
      return { key: 'leave.files_too_large', vars: { name: file.name, max: limits.files_bytes, given: total } };
    }
    return null;
  }

  /* The protocol's version (the server's WIDGET_PROTOCOL_VERSION): the widget says it when
     it connects, and a server of another version closes the socket so the frame loads its
     code again. Change it with the Rust constant; the samples carry it. */
  var version = 1, otherVersionCloseCode = 4426;

  var api = {
    version: version,
    otherVersionCloseCode: otherVersionCloseCode,
    read: read,
    readConfig: readConfig,
    readRefusal: readRefusal,
    noteKey: noteKey,
    endReasons: endedWords.concat(endedOtherwise),
    commands: commands,
    prechat: prechat,
    leftMessage: leftMessage,
    fileRefusal: fileRefusal
  };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.SwitchboardProtocol = api;
})(this);
