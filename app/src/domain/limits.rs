//! Every fixed limit of the specification, in one place. The browser (Wasm) and the server
//! compile this same module; the server enforces each limit whatever the browser sends.

use std::ops::RangeInclusive;

/// One megabyte as the limits count it: 2^20 bytes, so "10 MB" is 10,485,760 bytes.
pub const MB: u64 = 1024 * 1024;

/// SPEC R-1: addresses in each of To, Cc and Bcc.
pub const MAX_ADDRESSES_PER_FIELD: usize = 20;
/// SPEC A-1: attachments per reply.
pub const MAX_ATTACHMENTS: usize = 10;
/// SPEC A-1: bytes per attachment.
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * MB;
/// SPEC A-1 and E-3: bytes of attachments together (pasted images count).
pub const MAX_TOTAL_ATTACHMENT_BYTES: u64 = 20 * MB;
/// Bytes of a reply's body as the editor produces it (pasted images are files, not here).
pub const MAX_REPLY_BODY_BYTES: u64 = MB;
/// SPEC R-4: seconds between automatic saves of a reply being written.
pub const DEFAULT_DRAFT_AUTOSAVE_SECS: u32 = 180;
/// SPEC P-1: Unicode scalar values (Rust `char`s) in one agent chat message.
pub const MAX_CHAT_MESSAGE_CHARS: usize = 1500;
/// SPEC W-1: wrap-up reasons selected on one contact.
pub const MAX_WRAP_UP_REASONS: usize = 5;
/// Characters in a wrap-up reason's label (SPEC W-1: the pane lists them as checkboxes).
pub const MAX_WRAP_UP_LABEL_CHARS: usize = 80;
/// SPEC G-3: participants in a chat, the customer included.
pub const MAX_CHAT_PARTICIPANTS: usize = 3;
/// SPEC G-1: characters in the notes that go with an invitation.
pub const MAX_INVITE_NOTES_CHARS: usize = 1000;
/// SPEC G-2: messages of history an invited agent sees.
pub const MAX_HISTORY_MESSAGES: usize = 100;
/// SPEC S-4: the administrator's accept timer, in seconds.
pub const ACCEPT_TIMER_SECS: RangeInclusive<u32> = 10..=3600;
/// SPEC S-4: the accept timer until the administrator changes it.
pub const DEFAULT_ACCEPT_TIMER_SECS: u32 = 15;
/// SPEC K-5: the administrator's join timeout, in seconds.
pub const JOIN_TIMEOUT_SECS: RangeInclusive<u32> = 10..=3600;
/// SPEC K-5: the administrator's inactivity timeout, in seconds. Not below 30 s, so the
/// customer's warning comes with time left to answer it.
pub const INACTIVITY_TIMEOUT_SECS: RangeInclusive<u32> = 30..=86_400;
/// SPEC S-5: seconds a lost desktop connection may last before its chats end.
pub const RECONNECT_GRACE_SECS: RangeInclusive<u32> = 5..=600;
/// Chats that may wait in one CSQ at once; past it a customer is told the queue is full
/// (the administrator's setting).
pub const QUEUE_LIMIT: RangeInclusive<u32> = 1..=10_000;
pub const DEFAULT_QUEUE_LIMIT: u32 = 200;
/// Seconds a chat may wait for an agent before it leaves the queue (the administrator's
/// setting); the customer reads the administrator's message.
pub const QUEUE_TIMEOUT_SECS: RangeInclusive<u32> = 60..=86_400;
pub const DEFAULT_QUEUE_TIMEOUT_SECS: u32 = 600;
/// Chats one client address may start per minute.
pub const CHAT_STARTS_PER_MINUTE: u32 = 5;
/// Requests one client address may make a minute to what the widget reads (its form,
/// its session, its words, whether its button shows, forgetting the browser, a
/// transcript, its socket's opening): a page view makes four, so a shop's busiest reader
/// is far below it, and a crowd behind one office's address too; a loop that would keep
/// the server busy is turned away.
pub const WIDGET_READS_PER_MINUTE: u32 = 300;
/// Characters in a message the administrator writes for customers (welcome, no agent).
pub const MAX_SETTING_MESSAGE_CHARS: usize = 500;
/// SPEC O-4: default maximum of active chats per agent.
pub const DEFAULT_MAX_CHATS: u32 = 3;
/// SPEC O-4: default maximum of active emails per agent.
pub const DEFAULT_MAX_EMAILS: u32 = 3;
/// Longest email address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_ADDRESS_CHARS: usize = 254;
/// SPEC K-2: characters in a customer's name on the pre-chat form.
pub const MAX_CUSTOMER_NAME_CHARS: usize = 100;
/// SPEC K-2: characters in a phone number on the pre-chat form.
pub const MAX_PHONE_CHARS: usize = 32;
/// SPEC K-3: characters in the id a sender gives each message, so a resend is stored once.
pub const MAX_CLIENT_ID_CHARS: usize = 64;

// --- What a stranger may send (every endpoint a customer reaches is bounded) -------------

/// Messages a customer may send in one chat.
pub const MAX_CUSTOMER_LINES_PER_CHAT: u32 = 1000;
/// A customer's steady rate of messages per second in one chat...
pub const CUSTOMER_MESSAGES_PER_SEC: u32 = 5;
/// ... and how many may come at once above it.
pub const CUSTOMER_MESSAGE_BURST: u32 = 20;
/// SPEC P-2: typing notices passed on per chat and side, at most one a second (a change
/// between typing and stopped always passes).
pub const TYPING_NOTICE_EVERY_MS: u64 = 1000;
/// WebSockets open at once on one server (desktop pages and widgets together); one more is
/// refused with 503 until one closes.
pub const MAX_WEBSOCKETS: usize = 10_000;
/// Widget sockets one chat may have open at once (a customer's tabs and windows).
pub const MAX_WIDGET_SOCKETS_PER_CHAT: usize = 5;
/// Bytes in one frame a widget or a desktop page sends over its WebSocket.
pub const MAX_WS_FRAME_BYTES: usize = 16 * 1024;

// --- What a mailbox may bring in (one message never blocks a mailbox) --------------------

/// MIME parts of one incoming email that are read (containers count); the rest are listed
/// as not read, and stay in the mailbox.
pub const MAX_MIME_PARTS: usize = 500;
/// Levels of multipart nesting read in one incoming email; deeper parts are listed as not
/// read.
pub const MAX_MIME_DEPTH: usize = 10;
/// Characters kept of an incoming email's subject and of each sender or recipient name; a
/// Message-ID longer than this is not followed for threading.
pub const MAX_INCOMING_HEADER_CHARS: usize = 500;
/// Times Switchboard tries to read one message from a mailbox (a failure or a crash while
/// reading it counts) before it sets the message aside for the administrators.
pub const MAX_INTAKE_ATTEMPTS: u32 = 3;
/// Messages of one mailbox fetched with one IMAP command and stored in one transaction
/// (issue 13): a backlog costs a few round trips and one disk sync per batch.
pub const INTAKE_BATCH_MESSAGES: usize = 200;
/// Bytes (by the sizes the mail server gives) fetched in one batch: what a batch holds in
/// memory at once, before parsing.
pub const INTAKE_BATCH_BYTES: u64 = 16 * 1024 * 1024;

// --- Accounts (SPEC D-2) ------------------------------------------------------------------

/// Characters in a username: letters, digits and `. _ - @`, from 2 to this many.
pub const USERNAME_CHARS: RangeInclusive<usize> = 2..=64;
/// Characters in a user's full name and in the alias customers see.
pub const MAX_USER_NAME_CHARS: usize = 100;
/// Characters in a password: at least 12 (length is what makes a password hard to guess),
/// at most 256 (Argon2 hashes what it is given: a megabyte "password" would cost the
/// server, not the guesser).
pub const PASSWORD_CHARS: RangeInclusive<usize> = 12..=256;
/// Characters in the one-time password the server makes for a new or reset account.
pub const ONE_TIME_PASSWORD_CHARS: usize = 16;
/// SPEC O-4: what an administrator may set as an agent's maximum of active chats...
pub const MAX_CHATS_PER_AGENT: RangeInclusive<u32> = 1..=5;
/// ... and of active emails.
pub const MAX_EMAILS_PER_AGENT: RangeInclusive<u32> = 1..=5;
/// Users on one page of the administrators' list (the list is searched, not scrolled).
pub const USERS_PAGE_SIZE: u32 = 25;
/// Lines on one page of the administrators' audit.
pub const AUDIT_PAGE_SIZE: u32 = 50;
/// Characters of a search of the users' list.
pub const MAX_USER_SEARCH_CHARS: usize = 100;
/// CSQs one user may belong to (a form that lists them all stays usable).
pub const MAX_CSQS_PER_USER: usize = 100;

// --- Queues and the pre-chat form (SPEC D-2, K-2, O-2) -------------------------------------

/// Characters in a CSQ's name.
pub const MAX_CSQ_NAME_CHARS: usize = 60;
/// Members of one CSQ (the page lists them all).
pub const MAX_CSQ_MEMBERS: usize = 500;
/// Characters in a problem statement, as the customer reads it on the pre-chat form.
pub const MAX_PROBLEM_LABEL_CHARS: usize = 100;
/// Problem statements, retired ones included (the pre-chat form's list stays readable).
pub const MAX_PROBLEM_STATEMENTS: usize = 50;
/// The pre-chat form's own fields besides name, email, phone and problem (the form stays
/// short enough that customers fill it in).
pub const MAX_PRECHAT_FIELDS: usize = 10;
/// Options of one choice field.
pub const MAX_PRECHAT_CHOICES: usize = 20;
/// Characters in a field's label, and in each option of a choice.
pub const MAX_PRECHAT_LABEL_CHARS: usize = 60;
/// Characters in a customer's answer to a text field.
pub const MAX_PRECHAT_ANSWER_CHARS: usize = 200;

// --- Canned responses (SPEC P-3, R-3, D-2) -----------------------------------------------

/// Characters in a canned response's title, as the agent's list shows it.
pub const MAX_CANNED_TITLE_CHARS: usize = 80;
/// Canned responses of one kind (chat, email): the agent's list stays a list.
pub const MAX_CANNED_RESPONSES: usize = 200;
/// Bytes of an email canned response's HTML (a chat one is bounded as a chat message is).
pub const MAX_CANNED_EMAIL_BODY_BYTES: u64 = 256 * 1024;

// --- Mailboxes (SPEC E-1, R-5, R-7, D-2) -------------------------------------------------

/// Characters in a mailbox's name (its progress is kept under it).
pub const MAX_MAILBOX_NAME_CHARS: usize = 60;
/// Characters in a mail server's host name (DNS allows 253).
pub const MAX_HOST_CHARS: usize = 253;
/// Characters in a mail server login.
pub const MAX_MAIL_USERNAME_CHARS: usize = 254;
/// Characters in an IMAP folder's name.
pub const MAX_FOLDER_CHARS: usize = 200;
/// Characters in a mail server password as typed.
pub const MAX_SECRET_CHARS: usize = 1024;
/// Bytes of a mailbox's signature HTML (SPEC R-5).
pub const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;
/// Seconds a "Test connection" waits for each server.
pub const MAIL_TEST_TIMEOUT_SECS: u64 = 15;
/// Mailboxes one instance reads (each holds a connection open).
pub const MAX_MAILBOXES: usize = 50;

/// SPEC D-1: host desktops (origins) allowed to embed the desktop as a gadget.
pub const MAX_GADGET_HOSTS: usize = 20;
/// SPEC D-1: the longest origin accepted (`https://` and a host name of 253 characters and
/// a port fit).
pub const MAX_ORIGIN_CHARS: usize = 270;

// --- Messenger and WhatsApp (SPEC F-1, F-2, F-3) -----------------------------------------

/// Bytes of one webhook POST from Meta. Meta batches up to 1,000 events a request; 1,000
/// messages of 2,000 characters, each escaped as `\uXXXX`, come near 12 MB, but a batch
/// that large never comes from a contact center's traffic (media arrive by reference).
/// A post refused for its size is logged as an error: Meta would deliver it again.
pub const MAX_WEBHOOK_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Refused webhook requests (not signed with the app secret, a wrong verify token, no such
/// channel) one address may make a minute before it is turned away for a while. Meta's
/// signed deliveries are never counted, however many come.
pub const WEBHOOK_REFUSALS_PER_MINUTE: u32 = 60;
/// Characters of the `hub.challenge` echoed back in the verification handshake (Meta's are
/// a few dozen digits).
pub const MAX_HUB_CHALLENGE_CHARS: usize = 256;
/// Characters of a business name customers read as the sender (Messenger shows the Page's).
pub const MAX_BUSINESS_NAME_CHARS: usize = 100;
/// Characters of a channel secret as typed (Meta's app secrets are 32 hexadecimal digits,
/// page and system-user tokens a few hundred characters).
pub const MAX_CHANNEL_SECRET_CHARS: usize = 1024;
/// Bytes of one file a Messenger or WhatsApp customer sends that is fetched and kept: the
/// largest Messenger lets a person send (25 MB) and above WhatsApp's images, audio and
/// video (16 MB); a larger document is named in the transcript as not received.
pub const MAX_CHAT_MEDIA_BYTES: u64 = 25 * MB;
/// Files fetched of one customer message (WhatsApp sends one per message; Messenger a few).
pub const MAX_CHAT_MEDIA_PER_MESSAGE: usize = 10;
/// A customer's earlier conversations listed in a contact's customer details (newest first).
pub const PAST_CONTACTS_SHOWN: usize = 10;
/// Characters of what an earlier conversation was about, as that list shows it.
pub const PAST_CONTACT_ABOUT_CHARS: usize = 120;
/// Lines of an earlier chat sent when the agent opens it from the history (issue 17): a
/// long chat is cut, and says so.
pub const PAST_TRANSCRIPT_LINES: u32 = 500;
/// Digits of a phone number with its country code (E.164 allows 15; fewer than 8 is a
/// local number, which would find the wrong person), as an agent's link and a customer's
/// message give one.
pub const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 8..=15;
/// Addresses a chat's customer wrote that the page looks up to suggest a link (issue 16): a
/// few, so that a message full of addresses does not turn into as many lookups.
pub const ADDRESSES_LOOKED_UP_PER_CHAT: usize = 3;
/// WhatsApp message templates the administrator may list for agents (SPEC F-3).
pub const MAX_MESSAGE_TEMPLATES: usize = 50;
/// Characters of a template's name, as Meta limits it.
pub const MAX_TEMPLATE_NAME_CHARS: usize = 512;
/// Characters of a template's body, as Meta limits it, with its values in place.
pub const MAX_TEMPLATE_TEXT_CHARS: usize = 1024;
/// Spaces in a row a template's value may hold (Meta refuses more, error 132018).
pub const MAX_TEMPLATE_SPACES_IN_A_ROW: usize = 4;
/// How much later than the customer wrote it a Messenger or WhatsApp message may reach us
/// before its line says when it was written.
pub const LATE_MESSAGE_MS: i64 = 60_000;
/// Messenger's standard messaging window and WhatsApp's customer service window: the
/// business may answer freely for 24 hours after the customer's last message.
pub const META_REPLY_WINDOW_MS: i64 = 24 * 3_600_000;
/// Messenger's human-agent tag: an agent's own reply may still go for 7 days after the
/// customer's last message, when the administrator turned the tag on.
pub const HUMAN_AGENT_WINDOW_MS: i64 = 7 * 24 * 3_600_000;

/// Issue 17 (K-4): the longest message a customer may leave in the widget when no agent
/// can take the chat (it becomes an email, so longer than a chat line).
pub const MAX_LEFT_MESSAGE_CHARS: usize = 5000;

/// The largest pre-chat form or left message the widget may post (a message of
/// [`MAX_LEFT_MESSAGE_CHARS`] in any script, the form and its answers fit well within).
pub const MAX_WIDGET_FORM_BYTES: usize = 64 * 1024;
/// Issue 17 (K-4): the largest left message with its files the widget may post: the form
/// and message, [`MAX_TOTAL_ATTACHMENT_BYTES`] of files (each file is held to its own
/// limits as it streams), and the multipart boundaries and headers of
/// [`MAX_ATTACHMENTS`] parts.
pub const MAX_LEFT_MESSAGE_BODY_BYTES: usize =
    MAX_WIDGET_FORM_BYTES + MAX_TOTAL_ATTACHMENT_BYTES as usize + 64 * 1024;

/// Issue 17: how often a waiting customer's place in the queue is read again (their widget
/// is told when it changes).
pub const QUEUE_PLACE_EVERY_SECS: u64 = 5;
/// Issue 17: the recent answered chats of a CSQ an expected wait is read from...
pub const TYPICAL_WAIT_SAMPLES: u32 = 100;
/// ...no older than this many days...
pub const TYPICAL_WAIT_DAYS: i64 = 7;
/// ...and none is said with fewer than this many.
pub const TYPICAL_WAIT_MIN_SAMPLES: usize = 5;

/// Issue 17 (K-4): acknowledgements of left messages one address gets in a day at most (a
/// stranger cannot make the business's mailbox write to someone over and over; the
/// messages themselves are still taken).
pub const LEFT_MESSAGE_ACKS_PER_ADDRESS_PER_DAY: i64 = 3;

/// Issue 17 (K-4): opening spans in one day of a CSQ's week (a lunch break makes two).
pub const MAX_OPEN_SPANS_PER_DAY: usize = 4;
/// Issue 17: holidays (days closed) one CSQ's business hours list.
pub const MAX_HOLIDAYS: usize = 100;
/// Issue 17: characters in a holiday's name ("Christmas Day").
pub const MAX_HOLIDAY_NAME_CHARS: usize = 60;
/// Issue 17: characters in a time zone's name ("America/Argentina/ComodRivadavia" is 32).
pub const MAX_TIME_ZONE_CHARS: usize = 64;
/// Issue 17: how far ahead the next opening is looked for (a queue closed longer says only
/// that it is closed).
pub const OPENING_HORIZON_DAYS: i64 = 400;

/// Issue 17: days a widget's browser is remembered as its customer (the customer cookie),
/// renewed at each chat; the customer may forget it sooner from the widget.
pub const CUSTOMER_COOKIE_DAYS: i64 = 365;

/// Issue 17: characters in one note an agent writes about a customer.
pub const MAX_CUSTOMER_NOTE_CHARS: usize = 2000;
/// Issue 17: a customer's notes the desktop shows, newest first (older ones stay on record).
pub const CUSTOMER_NOTES_SHOWN: u32 = 50;
/// Issue 17: tags one customer carries ("vip", "late delivery").
pub const MAX_CUSTOMER_TAGS: usize = 20;
/// Issue 17: characters in one tag.
pub const MAX_TAG_CHARS: usize = 32;

/// Issue 17: characters in a search of the Conversations page (its text, or the customer)...
pub const MAX_SEARCH_CHARS: usize = 200;
/// ...and words in its text (every one must be found).
pub const MAX_SEARCH_WORDS: usize = 8;
/// Issue 17: conversations on one page of the Conversations page.
pub const CONVERSATIONS_PAGE_SIZE: u32 = 25;
/// Issue 17: characters of one conversation's folded text kept for its search (a longer
/// one is found by the words of its start; an email's subject, files and reply come first).
pub const MAX_INDEXED_CHARS: usize = 200_000;
/// Issue 17: ended conversations made searchable in one go, and how often the server looks
/// for new ones.
pub const SEARCH_INDEX_BATCH: u32 = 50;
pub const SEARCH_INDEX_EVERY_MS: u64 = 1_000;
/// Issue 17: how long after its end a conversation waits to be indexed (a line stored as it
/// ended is in by then).
pub const SEARCH_INDEX_SETTLE_MS: i64 = 3_000;

/// Issue 17: customers on one page of the administrators' privacy section.
pub const CUSTOMERS_PAGE_SIZE: u32 = 25;
/// Issue 17: the days conversations' contents may be kept after they end, when the
/// administrator sets a retention (none: kept for ever).
pub const RETENTION_DAYS: RangeInclusive<u32> = 1..=36_500;
/// Issue 17: how often the server erases the contents the retention reached, and how many
/// conversations it erases in one go (at once again while more wait).
pub const RETENTION_EVERY_MS: u64 = 60_000;
pub const RETENTION_BATCH: u32 = 100;
/// Issue 17: hours an agent's events are kept for a page that reconnects to catch up (a
/// page away longer starts again from the agent's state now); older ones are removed, so
/// that nothing about a customer lasts in them.
pub const AGENT_EVENTS_KEPT_HOURS: i64 = 24;

/// Issue 17: characters in an API token's name (what the administrator calls it: the CRM
/// that uses it).
pub const MAX_API_TOKEN_NAME_CHARS: usize = 80;
/// Issue 17: how often a token's "last used" time is written at most (each request would
/// otherwise write to the database).
pub const API_TOKEN_USE_RECORDED_EVERY_MS: i64 = 60_000;
/// Issue 17: `/api/v1` calls one token may make a minute (on each node): a CRM syncing in
/// bulk pages through thousands of records well within it; a loop is turned away.
pub const API_CALLS_PER_MINUTE: u32 = 600;
/// Issue 17: records on one page of an `/api/v1` list, when the caller asks for none, and
/// at most.
pub const API_PAGE_DEFAULT: u32 = 50;
pub const API_PAGE_MAX: u32 = 200;
/// Issue 17: bytes in the body of an `/api/v1` request (a customer, a merge: a few hundred
/// bytes each).
pub const MAX_API_BODY_BYTES: usize = 64 * 1024;
/// Issue 17: how long an outgoing webhook's delivery is tried (from when it was made) before
/// it counts as failed: a receiver down for a night still gets everything in the morning.
pub const WEBHOOK_GIVE_UP_MS: i64 = 24 * 60 * 60 * 1000;
/// Issue 17: characters in an outgoing webhook's name (what the administrator calls it).
pub const MAX_WEBHOOK_NAME_CHARS: usize = 80;
/// Issue 17: characters in the address an outgoing webhook posts to.
pub const MAX_WEBHOOK_URL_CHARS: usize = 2000;
/// Issue 17: webhooks one contact center may have (each gets every event it wants).
pub const MAX_WEBHOOKS: usize = 20;
/// Issue 17: lines of a webhook's delivery log on one page.
pub const WEBHOOK_LOG_PAGE: u32 = 50;
/// Issue 17: days an outgoing webhook's delivery stays in its log once delivered or failed
/// (fewer when the retention keeps conversations' contents fewer days).
pub const WEBHOOK_LOG_KEPT_DAYS: i64 = 7;
/// Issue 17: an email a CRM starts through the API: characters of its subject (as many as
/// are kept of an incoming one's) and of its plain-text body (a letter, well inside
/// [`MAX_API_BODY_BYTES`] whatever its script).
pub const MAX_API_EMAIL_SUBJECT_CHARS: usize = MAX_INCOMING_HEADER_CHARS;
pub const MAX_API_EMAIL_BODY_CHARS: usize = 10_000;

/// Issue 18: the longest period a report covers, in days (a year and a day: the indexes are
/// made for a year of contacts).
pub const MAX_REPORT_DAYS: i64 = 366;

/// Issue 18: the upper bounds of the report's wait chart's bars, in seconds (a last bar
/// counts the longer waits).
pub const REPORT_WAIT_BARS_SECS: [i64; 6] = [10, 20, 30, 60, 120, 300];
