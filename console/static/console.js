// The operators' console: live updates (Server-Sent Events), replies without reloading,
// canned responses. Customer text only ever goes into the page through textContent.
"use strict";

(function () {
  const body = document.body;
  const prefix = body.dataset.prefix || "/console";
  const csrf = body.dataset.csrf || "";

  function duration(seconds) {
    const minutes = Math.max(0, Math.floor(seconds / 60));
    if (minutes < 60) {
      return body.dataset.fmtMinutes.replace("{minutes}", String(minutes));
    }
    return body.dataset.fmtHours
      .replace("{hours}", String(Math.floor(minutes / 60)))
      .replace("{minutes}", String(minutes % 60).padStart(2, "0"));
  }

  function tickWaiting() {
    document.querySelectorAll("[data-since]").forEach(function (el) {
      const since = Date.parse(el.dataset.since);
      if (!Number.isNaN(since)) {
        el.textContent = duration((Date.now() - since) / 1000);
      }
    });
  }

  function setCount(count) {
    const badge = document.getElementById("waiting-count");
    if (badge) {
      badge.textContent = count > 0 ? String(count) : "";
    }
  }

  function fill(node, selector, text) {
    const el = node.querySelector(selector);
    if (el) {
      el.textContent = text;
    }
  }

  function renderQueue(rows) {
    const tbody = document.getElementById("queue-rows");
    const template = document.getElementById("queue-row-template");
    if (!tbody || !template) {
      return;
    }
    const fresh = document.createDocumentFragment();
    rows.forEach(function (row) {
      const tr = template.content.querySelector("tr").cloneNode(true);
      tr.dataset.escalationId = String(row.escalation_id);
      tr.dataset.conversationId = String(row.conversation_id);
      fill(tr, "[data-test=channel]", row.channel);
      fill(tr, "[data-test=customer]", row.customer);
      fill(tr, "[data-test=reason]", row.reason);
      fill(tr, "[data-test=since]", row.since);
      const waiting = tr.querySelector("[data-test=waiting]");
      waiting.dataset.since = row.created_at;
      waiting.textContent = row.waiting;
      tr.querySelector("form").setAttribute("action", row.claim_url);
      tr.querySelector("input[name=csrf]").value = csrf;
      fresh.appendChild(tr);
    });
    tbody.replaceChildren(fresh);
    const empty = document.getElementById("queue-empty");
    if (empty) {
      empty.hidden = rows.length > 0;
    }
  }

  function appendMessage(m) {
    const list = document.getElementById("transcript");
    const template = document.getElementById("message-template");
    if (!list || !template) {
      return;
    }
    if (list.querySelector('[data-key="' + CSS.escape(m.key) + '"]')) {
      return; // already shown
    }
    const li = template.content.querySelector("li").cloneNode(true);
    li.className = "msg msg-" + m.author;
    li.dataset.author = m.author;
    li.dataset.key = m.key;
    fill(li, "[data-test=message-author]", m.who);
    fill(li, "[data-test=message-at]", m.at);
    fill(li, "[data-test=message-text]", m.text);
    const delivery = li.querySelector("[data-test=message-delivery]");
    delivery.textContent = m.delivery;
    delivery.className = "delivery delivery-" + m.delivery_state;
    list.appendChild(li);
    li.scrollIntoView({ block: "nearest" });
  }

  function connect() {
    if (!window.EventSource || !csrf || !body.dataset.signedIn) {
      return; // the login page has nothing to follow
    }
    let url = prefix + "/events";
    if (body.dataset.live === "conversation") {
      url += "?conversation=" + encodeURIComponent(body.dataset.conversationId) +
        "&after=" + encodeURIComponent(body.dataset.cursor || "");
    }
    const source = new EventSource(url);
    source.addEventListener("queue", function (event) {
      const data = JSON.parse(event.data);
      setCount(data.count);
      if (body.dataset.live === "queue") {
        renderQueue(data.rows);
      }
    });
    source.addEventListener("message", function (event) {
      appendMessage(JSON.parse(event.data));
    });
    source.addEventListener("status", function () {
      // Who holds the conversation changed: the forms on the page depend on it.
      window.location.reload();
    });
    source.addEventListener("logout", function () {
      source.close();
      window.location.assign(prefix + "/login");
    });
  }

  function enhanceReply() {
    const form = document.getElementById("reply");
    if (!form) {
      return;
    }
    const box = form.querySelector("textarea[name=text]");
    const status = document.getElementById("reply-status");
    form.querySelectorAll("[data-test=canned]").forEach(function (button) {
      button.addEventListener("click", function () {
        const text = button.dataset.text || "";
        const start = box.selectionStart;
        const end = box.selectionEnd;
        box.value = box.value.slice(0, start) + text + box.value.slice(end);
        box.focus();
        box.selectionStart = box.selectionEnd = start + text.length;
      });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const send = form.querySelector("[data-test=send]");
      send.disabled = true;
      status.textContent = "";
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { "X-CSRF-Token": csrf, "Accept": "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok || !data.ok) {
              throw new Error(data.error || String(response.status));
            }
            box.value = "";
          });
        })
        .catch(function (error) {
          status.textContent = error.message;
          status.classList.add("error");
        })
        .finally(function () {
          send.disabled = false;
          box.focus();
        });
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        form.requestSubmit();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const transcript = document.getElementById("transcript");
    if (transcript) {
      transcript.scrollTop = transcript.scrollHeight; // the latest messages first in view
    }
    connect();
    enhanceReply();
    tickWaiting();
    window.setInterval(tickWaiting, 30000);
  });
})();
