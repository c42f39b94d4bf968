/*
 * Switchboard gadget, host side (SPEC D-1). A host agent desktop loads this script and
 * calls Switchboard.embed(container, options) to show the Switchboard desktop in an
 * iframe and talk to it. The messages are documented in the README ("Gadget API"); this
 * wraps them in promises and callbacks. The host's origin must be on the administrator's
 * list of host desktops (Administration > Host desktops), or the desktop neither loads in
 * the frame nor answers.
 *
 *   var desk = Switchboard.embed(document.getElementById("sb"), {
 *     url: "https://switchboard.example.com/",
 *     on: { state: function (s) {...}, offer: function (m) {...} }
 *   });
 *   desk.ready.then(function () { return desk.setState("ready"); });
 */
(function (global) {
  "use strict";
  var VERSION = 1;

  function embed(container, options) {
    options = options || {};
    var url = new URL(options.url || "/", document.baseURI);
    var origin = url.origin;
    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = options.title || "Switchboard";
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.display = "block";
    frame.style.height = (options.height || 640) + "px";
    frame.setAttribute("allow", "autoplay");
    container.appendChild(frame);

    var handlers = {};
    var waiting = {};
    var nextId = 1;
    var markReady;
    var ready = new Promise(function (resolve) { markReady = resolve; });
    var on = options.on || {};
    Object.keys(on).forEach(function (name) { subscribe(name, on[name]); });

    function subscribe(name, handler) {
      (handlers[name] = handlers[name] || []).push(handler);
    }

    // A handler that throws does not stop the others (its error is reported apart).
    function emit(name, message) {
      (handlers[name] || []).concat(handlers["*"] || []).forEach(function (handler) {
        try { handler(message); } catch (e) { setTimeout(function () { throw e; }); }
      });
    }

    function post(message) {
      message.switchboard = VERSION;
      frame.contentWindow.postMessage(message, origin);
    }

    function request(type, fields) {
      return ready.then(function () {
        return new Promise(function (resolve, reject) {
          var id = nextId++;
          waiting[id] = { resolve: resolve, reject: reject };
          var message = fields || {};
          message.type = type;
          message.id = id;
          post(message);
        });
      });
    }

    global.addEventListener("message", function (event) {
      // Only this frame's desktop, from its own origin.
      if (event.source !== frame.contentWindow || event.origin !== origin) return;
      var message = event.data;
      if (!message || typeof message !== "object" || message.switchboard !== VERSION) return;
      var pending = message.id != null && waiting[message.id];
      if (pending) {
        delete waiting[message.id];
        if (message.type === "error") {
          var error = new Error(message.message);
          error.code = message.code;
          pending.reject(error);
        } else {
          pending.resolve(message);
        }
        return;
      }
      if (message.type === "loaded") {
        // A new page in the frame (a login, a reload): what the last one was asked is lost.
        Object.keys(waiting).forEach(function (id) {
          var error = new Error("the desktop loaded again before it answered");
          error.code = "reloaded";
          waiting[id].reject(error);
          delete waiting[id];
        });
        post({ type: "subscribe" });
        markReady();
      } else if (message.type === "resize") {
        frame.style.height = Math.max(message.height, 200) + "px";
        if (options.onResize) options.onResize(message.height);
      } else if (message.type === "attention") {
        if (options.onAttention) options.onAttention(message);
        else flashTitle(function (t) { document.title = t; }, document.title);
      }
      emit(message.type, message);
    });

    return {
      frame: frame,
      /** Resolves once the desktop is loaded and listening. */
      ready: ready,
      /** The agent's state: { state, label, not_ready_pending, contacts_in_hand }. */
      getState: function () { return request("get_state"); },
      /** Offers and contacts in hand: { contacts: [...] }. */
      getContacts: function () { return request("get_contacts"); },
      /** "ready" or "not_ready"; the "state" event says when it applies. */
      setState: function (state) { return request("set_state", { state: state }); },
      /** Events: loaded, state, offer, withdrawn, accepted, left, ended, unread, resize,
       * attention, "*" (every one). */
      on: subscribe
    };
  }

  /**
   * Flashes a title a few times (the desktop asks for attention on an offer). One flash at
   * a time: a second request starts again from the same title, which is put back at the end.
   */
  var flashing = null;
  function flashTitle(setTitle, title) {
    if (flashing) {
      clearInterval(flashing.timer);
      title = flashing.title;
    }
    var n = 0;
    flashing = { title: title, timer: 0 };
    flashing.timer = setInterval(function () {
      n += 1;
      setTitle(n % 2 ? "\u2022 " + title : title);
      if (n >= 6) {
        clearInterval(flashing.timer);
        flashing = null;
      }
    }, 700);
  }

  global.Switchboard = { embed: embed, flashTitle: flashTitle, version: VERSION };
})(window);
