/* The web chat page: history on load, the customer's messages posted with the session's CSRF
   token, replies live over Server-Sent Events. Every text goes into the page as text
   (textContent, text nodes), never as HTML. */
(function () {
  "use strict";

  var root = document.querySelector("[data-test=webchat]");
  var texts = JSON.parse(document.getElementById("webchat-texts").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var list = root.querySelector("[data-test=messages]");
  var form = root.querySelector("[data-test=composer]");
  var input = form.elements.text;
  var statusBar = root.querySelector("[data-test=status]");
  var typing = root.querySelector("[data-test=typing]");
  var shown = new Set();
  var cursor = 0;
  var source = null;
  var typingTimer = 0;
  var received = 0; // replies that arrived live so far
  var URL_PATTERN = /https?:\/\/[^\s<>"'«»]+/g;
  var RETRIES = 4;

  function uuid() {
    // crypto.randomUUID needs a secure context; getRandomValues works on plain http too.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  function fill(template, name, value) {
    return template.split("{" + name + "}").join(value);
  }

  function el(tag, className, test) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (test) node.dataset.test = test;
    return node;
  }

  /* Text with its web addresses as links; everything else stays text nodes. */
  function putText(node, text, links) {
    if (!links) {
      node.textContent = text;
      return;
    }
    var last = 0;
    text.replace(URL_PATTERN, function (match, offset) {
      var url = match.replace(/[.,;:!?)]+$/, "");
      node.appendChild(document.createTextNode(text.slice(last, offset)));
      var a = document.createElement("a");
      a.href = url;
      a.textContent = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      node.appendChild(a);
      last = offset + url.length;
      return match;
    });
    node.appendChild(document.createTextNode(text.slice(last)));
  }

  function clock(iso) {
    var at = iso ? new Date(iso) : new Date();
    return at.toLocaleTimeString(document.documentElement.lang || undefined,
      { hour: "2-digit", minute: "2-digit" });
  }

  function atBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  function showStatus(text) {
    statusBar.textContent = text;
    statusBar.hidden = false;
  }

  function hideStatus() {
    statusBar.hidden = true;
  }

  function showTyping(seconds) {
    clearTimeout(typingTimer);
    typing.hidden = false;
    list.scrollTop = list.scrollHeight;
    typingTimer = setTimeout(hideTyping, seconds * 1000);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
  }

  /* Only the latest prompt's controls work: older buttons are greyed out, an older phone
     field goes away (a stale button would only get the current menu back). */
  function refreshControls() {
    var items = list.querySelectorAll("[data-test=message]");
    var lastButtons = null;
    for (var i = items.length - 1; i >= 0; i--) {
      if (items[i].querySelector("[data-test=buttons]")) { lastButtons = items[i]; break; }
    }
    var latest = items.length ? items[items.length - 1] : null;
    list.querySelectorAll("[data-test=buttons]").forEach(function (row) {
      var active = row.closest("[data-test=message]") === lastButtons && !row.dataset.used;
      row.querySelectorAll("button").forEach(function (b) { b.disabled = !active; });
    });
    list.querySelectorAll("[data-test=phone-form]").forEach(function (f) {
      f.hidden = f.closest("[data-test=message]") !== latest;
    });
  }

  // A file by its signed link (/media/...): an image inline, anything else a download link.
  function attachmentLink(attachment) {
    if (!attachment.url) return document.createTextNode("");
    if (attachment.kind === "image") {
      var frame = el("a", "attachment-image", "attachment-image");
      frame.href = attachment.url;
      frame.target = "_blank";
      frame.rel = "noopener";
      var img = document.createElement("img");
      img.src = attachment.url;
      img.alt = attachment.filename;
      img.loading = "lazy";
      frame.appendChild(img);
      return frame;
    }
    var a = el("a", "attachment", "attachment");
    a.textContent = "📄 " + fill(texts.download, "filename", attachment.filename);
    a.href = attachment.url;
    a.download = attachment.filename;
    a.rel = "noopener";
    return a;
  }

  function phoneForm(label) {
    var f = el("form", "phone-form", "phone-form");
    var field = el("input", "", "phone-input");
    field.type = "tel";
    field.name = "phone";
    field.required = true;
    field.maxLength = 32;
    field.autocomplete = "tel";
    field.placeholder = texts.phone_placeholder;
    field.setAttribute("aria-label", label);
    var submit = el("button", "choice", "phone-send");
    submit.type = "submit";
    submit.textContent = label;
    f.appendChild(field);
    f.appendChild(submit);
    f.addEventListener("submit", function (event) {
      event.preventDefault();
      var phone = field.value.trim();
      if (!/\d/.test(phone)) {
        showStatus(texts.bad_phone);
        return;
      }
      f.hidden = true;
      send({ kind: "contact", phone: phone }, phone);
    });
    return f;
  }

  function render(message) {
    if (shown.has(message.key)) return;
    shown.add(message.key);
    var follow = atBottom() || message.side === "customer";
    var item = el("li", "message " + message.side, "message");
    item.dataset.side = message.side;
    if (message.side === "operator" && message.operator) {
      var author = el("div", "author", "message-author");
      author.textContent = fill(texts.operator, "name", message.operator);
      item.appendChild(author);
    }
    var bubble = el("div", "bubble");
    var text = el("div", "text", "message-text");
    putText(text, message.text, message.side !== "customer");
    bubble.appendChild(text);
    if (message.attachment) bubble.appendChild(attachmentLink(message.attachment));
    var time = el("time", "time");
    time.textContent = clock(message.at);
    bubble.appendChild(time);
    item.appendChild(bubble);
    if (message.buttons && message.buttons.length) {
      var row = el("div", "buttons", "buttons");
      message.buttons.forEach(function (b) {
        var button = el("button", "choice", "button");
        button.type = "button";
        button.textContent = b.label;
        button.addEventListener("click", function () {
          row.dataset.used = "1";
          button.classList.add("chosen");
          refreshControls();
          send({ kind: "button", payload: b.payload }, b.label);
        });
        row.appendChild(button);
      });
      item.appendChild(row);
    }
    if (message.phone) item.appendChild(phoneForm(message.phone));
    list.appendChild(item);
    refreshControls();
    if (follow) list.scrollTop = list.scrollHeight;
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  /* Posts one message; a retry carries the same event id, so the server takes it once. */
  async function send(body, echo) {
    body.event_id = uuid();
    if (echo) render({ side: "customer", text: echo, key: "sent-" + body.event_id, buttons: [] });
    hideStatus();
    showTyping(10);
    var before = received;
    for (var attempt = 0; ; attempt++) {
      var response = null;
      try {
        response = await fetch("/webchat/messages", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify(body)
        });
      } catch (error) {
        response = null;
      }
      if (response && response.ok) {
        var result = await response.json();
        // Typing dots until the answer arrives; none is coming (an operator holds the chat),
        // or it came faster than this response.
        if (!result.replies || received > before) hideTyping();
        return true;
      }
      if (response && response.status < 500) {
        var reason = {
          403: "session_expired", 413: "too_long", 429: "too_many"
        }[response.status] || "send_failed";
        try {
          var error = (await response.json()).error;
          if (texts[error]) reason = error;
        } catch (ignored) { /* not JSON */ }
        showStatus(texts[reason]);
        break;
      }
      if (attempt >= RETRIES) {
        showStatus(texts.send_failed);
        break;
      }
      await sleep(400 * Math.pow(2, attempt));
    }
    hideTyping();
    return false;
  }

  async function loadHistory() {
    var response = await fetch("/webchat/history", { credentials: "same-origin" });
    if (!response.ok) throw new Error("history " + response.status);
    var body = await response.json();
    body.messages.forEach(render);
    cursor = Math.max(cursor, body.cursor);
    return body.messages.length;
  }

  function connect() {
    if (source) source.close();
    source = new EventSource("/webchat/events?after=" + cursor);
    source.addEventListener("reply", function (event) {
      received += 1;
      hideStatus();
      hideTyping();
      if (event.lastEventId) cursor = Math.max(cursor, Number(event.lastEventId));
      render(JSON.parse(event.data));
    });
    source.addEventListener("cursor", function (event) {
      if (event.lastEventId) cursor = Math.max(cursor, Number(event.lastEventId));
    });
    source.addEventListener("open", hideStatus);
    source.addEventListener("error", function () {
      showStatus(texts.reconnecting);
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (the server said no, or is restarting): start over shortly.
        setTimeout(function () { start().catch(retryLater); }, 3000);
      }
    });
  }

  function retryLater() {
    showStatus(texts.reconnecting);
    setTimeout(function () { start().catch(retryLater); }, 3000);
  }

  async function start() {
    var count = await loadHistory();
    connect();
    if (count === 0 && !start.greeted) {
      start.greeted = true;
      await send({ kind: "start" }, null);
    }
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    autosize();
    send({ kind: "text", text: text }, text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", autosize);

  root.querySelector("[data-test=reset]").addEventListener("click", async function () {
    if (!window.confirm(texts.new_chat_confirm)) return;
    var response = await fetch("/webchat/reset", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf }
    });
    if (response.ok) window.location.reload();
    else showStatus(texts.send_failed);
  });
  var close = root.querySelector("[data-test=close]");
  if (close) {
    close.addEventListener("click", function () {
      window.parent.postMessage({ type: "energobot-chat-close" }, "*");
    });
  }

  start().catch(retryLater);
  input.focus({ preventScroll: true });
})();
