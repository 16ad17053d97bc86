/* The web chat page. Plain ES5 and XMLHttpRequest, so that it runs on old and cheap phones.
 *
 * The person's own messages are kept in this tab only (sessionStorage) to show them again after
 * a reload; the hotline's come from the server. Each message gets an id here and keeps it
 * through retries, so a message sent twice is taken once. */
(function () {
  "use strict";

  var chat = document.getElementById("chat");
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var box = document.getElementById("text");
  var statusLine = document.getElementById("status");
  var base = chat.getAttribute("data-base");
  var said = {
    you: chat.getAttribute("data-you"),
    hotline: chat.getAttribute("data-hotline"),
    offline: chat.getAttribute("data-offline"),
    retrying: chat.getAttribute("data-retrying"),
    failed: chat.getAttribute("data-failed"),
    slowDown: chat.getAttribute("data-slow-down")
  };
  var KEPT = "hotline-chat-mine";
  var shown = {}; // ids of the hotline's messages on the page
  var lastId = 0;
  var mine = load();
  var nodes = {}; // the person's messages on the page, by id (not kept: elements)

  // -- the person's own messages, kept in this tab -------------------------------------------

  function load() {
    try {
      var kept = JSON.parse(window.sessionStorage.getItem(KEPT) || "[]");
      return kept instanceof Array ? kept : [];
    } catch (e) {
      return [];
    }
  }

  function save() {
    try {
      window.sessionStorage.setItem(KEPT, JSON.stringify(mine.slice(-50)));
    } catch (e) {
      // Storage off or full: the conversation still works, a reload just shows less.
    }
  }

  function newId() {
    var bytes = new Uint8Array(16);
    var cryptoApi = window.crypto || window.msCrypto;
    var id = "";
    var i;
    if (cryptoApi && cryptoApi.getRandomValues) {
      cryptoApi.getRandomValues(bytes);
    } else {
      for (i = 0; i < bytes.length; i++) {
        bytes[i] = Math.floor(Math.random() * 256);
      }
    }
    for (i = 0; i < bytes.length; i++) {
      id += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return id;
  }

  // -- showing -------------------------------------------------------------------------------

  var LINK = /(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)»])|(\+\d[\d \-()]{6,}\d)/g;

  // Text as text nodes, with web addresses and international numbers as links.
  function fill(node, text) {
    var last = 0;
    var match;
    LINK.lastIndex = 0;
    while ((match = LINK.exec(text)) !== null) {
      node.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = document.createElement("a");
      if (match[1]) {
        link.href = match[1];
        link.rel = "noopener noreferrer";
        link.target = "_blank";
      } else {
        link.href = "tel:" + match[2].replace(/[^\d+]/g, "");
        link.dir = "ltr";
      }
      link.textContent = match[0];
      node.appendChild(link);
      last = match.index + match[0].length;
    }
    node.appendChild(document.createTextNode(text.slice(last)));
  }

  function bubble(kind, who, text, language, dir) {
    var item = document.createElement("li");
    item.className = "message " + kind;
    item.setAttribute("dir", dir || "auto");
    if (language) {
      item.setAttribute("lang", language);
    }
    var paragraph = document.createElement("p");
    var speaker = document.createElement("span");
    speaker.className = "visually-hidden";
    speaker.textContent = who + ": ";
    paragraph.appendChild(speaker);
    if (kind === "hotline") {
      fill(paragraph, text);
    } else {
      paragraph.appendChild(document.createTextNode(text));
    }
    item.appendChild(paragraph);
    return item;
  }

  function options(list) {
    var bar = document.createElement("div");
    bar.className = "options";
    for (var i = 0; i < list.length; i++) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = list[i].label;
      button.setAttribute("data-option", list[i].data);
      bar.appendChild(button);
    }
    return bar;
  }

  function append(item) {
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function clearConversation() {
    var items = log.querySelectorAll("li:not(.welcome)");
    for (var i = 0; i < items.length; i++) {
      log.removeChild(items[i]);
    }
    shown = {};
    nodes = {};
    mine = [];
    save();
  }

  function show(message) {
    if (message.erased) {
      // The person erased their data: nothing of it stays on the screen either.
      clearConversation();
    } else {
      if (shown[message.id]) {
        return;
      }
      shown[message.id] = true;
      lastId = Math.max(lastId, message.id);
    }
    var item = bubble("hotline", said.hotline, message.text, message.language, message.dir);
    if (message.urgent) {
      item.className += " urgent";
    }
    if (message.options && message.options.length) {
      item.appendChild(options(message.options));
    }
    append(item);
  }

  function showMine(entry) {
    nodes[entry.id] = bubble("person " + entry.state, said.you, entry.text);
    append(nodes[entry.id]);
  }

  function setStatus(text) {
    statusLine.textContent = text;
  }

  // -- sending -------------------------------------------------------------------------------

  function settle(entry, state) {
    entry.state = state;
    if (nodes[entry.id]) {
      nodes[entry.id].className = "message person " + state;
    }
    save();
  }

  function post(entry, attempt) {
    var request = new XMLHttpRequest();
    request.open("POST", base + "/api/messages", true);
    request.setRequestHeader("Content-Type", "application/json");
    request.timeout = 20000;
    function again(delay) {
      window.setTimeout(function () {
        post(entry, attempt + 1);
      }, delay);
    }
    request.onload = function () {
      if (request.status === 202) {
        settle(entry, "sent");
        setStatus("");
      } else if (request.status === 429) {
        setStatus(said.slowDown);
        again(1000 * (parseInt(request.getResponseHeader("Retry-After"), 10) || 10));
      } else if (request.status >= 500) {
        setStatus(said.retrying);
        again(Math.min(30000, 1000 * Math.pow(2, attempt)));
      } else {
        settle(entry, "failed");
        setStatus(said.failed);
      }
    };
    request.onerror = request.ontimeout = function () {
      setStatus(said.retrying);
      again(Math.min(30000, 1000 * Math.pow(2, attempt)));
    };
    var body = { id: entry.id };
    body[entry.kind] = entry.value;
    request.send(JSON.stringify(body));
  }

  function send(kind, value, echo) {
    var entry = { id: newId(), kind: kind, value: value, text: echo, after: lastId, state: "pending" };
    mine.push(entry);
    save();
    showMine(entry);
    post(entry, 0);
  }

  form.onsubmit = function (event) {
    event.preventDefault();
    var text = box.value;
    if (!text.replace(/\s+/g, "")) {
      return;
    }
    box.value = "";
    send("text", text, text);
    box.focus();
  };

  // Enter sends on a keyboard; on a touch screen it starts a new line, as people expect there.
  var touch = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
  box.onkeydown = function (event) {
    if (!touch && (event.key === "Enter" || event.keyCode === 13) && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.onsubmit(event);
    }
  };

  log.onclick = function (event) {
    var target = event.target;
    if (target && target.getAttribute && target.getAttribute("data-option")) {
      send("option", target.getAttribute("data-option"), target.textContent);
    }
  };

  // -- receiving -----------------------------------------------------------------------------

  function get(url, done) {
    var request = new XMLHttpRequest();
    request.open("GET", url, true);
    request.timeout = 35000;
    request.onload = function () {
      var body = null;
      try {
        body = request.status === 200 ? JSON.parse(request.responseText) : null;
      } catch (e) {
        body = null;
      }
      done(body);
    };
    request.onerror = request.ontimeout = function () {
      done(null);
    };
    request.send();
  }

  function poll(failures) {
    get(base + "/api/messages?after=" + lastId + "&wait=25", function (body) {
      if (body) {
        setStatus("");
        for (var i = 0; i < body.messages.length; i++) {
          show(body.messages[i]);
        }
        poll(0);
      } else {
        setStatus(said.offline);
        window.setTimeout(function () {
          poll(failures + 1);
        }, Math.min(30000, 1000 * Math.pow(2, failures)));
      }
    });
  }

  function listen() {
    if (!window.EventSource) {
      poll(0);
      return;
    }
    var source = new EventSource(base + "/api/stream?after=" + lastId);
    source.onopen = function () {
      setStatus("");
    };
    source.onmessage = function (event) {
      show(JSON.parse(event.data));
    };
    source.onerror = function () {
      setStatus(said.offline);
      // It reconnects by itself after a network error, but not after an error answer.
      if (source.readyState === 2) {
        source.close();
        window.setTimeout(listen, 5000);
      }
    };
  }

  // The conversation so far: the hotline's messages, and the person's between them where
  // they were sent; then what was not acknowledged yet goes again, then new messages.
  function start(attempt) {
    get(base + "/api/messages", function (body) {
      if (!body) {
        setStatus(said.offline);
        window.setTimeout(function () {
          start(attempt + 1);
        }, Math.min(30000, 1000 * Math.pow(2, attempt)));
        return;
      }
      setStatus("");
      var own = 0;
      for (var i = 0; i < body.messages.length; i++) {
        while (own < mine.length && mine[own].after < body.messages[i].id) {
          showMine(mine[own++]);
        }
        show(body.messages[i]);
      }
      while (own < mine.length) {
        showMine(mine[own++]);
      }
      for (var j = 0; j < mine.length; j++) {
        if (mine[j].state === "pending") {
          post(mine[j], 0);
        }
      }
      listen();
    });
  }

  start(0);
})();
