// Staff console: live queue rows, live transcript, canned replies. Text is always set
// with textContent; the only HTML inserted is the queue's rows rendered (escaped) by the server.
(function () {
  "use strict";
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  // Once a form is on its way the page is about to change: live reloads would race it.
  let leaving = false;
  document.addEventListener("submit", () => { leaving = true; });

  function liveQueue(table) {
    const body = document.getElementById("queue-rows");
    let pending = null;
    function refresh() {
      pending = null;
      fetch(table.dataset.rows + window.location.search, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
        .then((html) => { body.innerHTML = html; })
        .catch(() => {});
    }
    const source = new EventSource(table.dataset.events);
    source.addEventListener("changed", () => {
      if (!pending) pending = setTimeout(refresh, 300);
    });
    setInterval(refresh, 30000);  // waiting times keep counting up
  }

  function retryForm(outboxId) {
    const form = document.createElement("form");
    form.method = "post";
    form.className = "inline";
    form.action = document.getElementById("transcript").dataset.retryAction;
    for (const [name, value] of [["csrf", csrf], ["outbox_id", String(outboxId)]]) {
      const input = document.createElement("input");
      input.type = "hidden"; input.name = name; input.value = value;
      form.appendChild(input);
    }
    const button = document.createElement("button");
    button.type = "submit";
    button.textContent = document.getElementById("transcript").dataset.retry;
    form.appendChild(button);
    return form;
  }

  function badge(id, status, label, outboxId) {
    const span = document.createElement("span");
    span.className = "badge badge--" + status;
    span.dataset.statusFor = String(id);
    span.textContent = label;
    const parts = [span];
    if (status === "failed" && outboxId) parts.push(retryForm(outboxId));
    return parts;
  }

  function liveTranscript(list) {
    const seen = new Set([...list.querySelectorAll("li[data-id]")].map((li) => li.dataset.id));
    const scroll = () => { list.scrollTop = list.scrollHeight; };
    scroll();
    const source = new EventSource(list.dataset.events + "?after=" + list.dataset.after);
    source.addEventListener("message", (event) => {
      const m = JSON.parse(event.data);
      if (seen.has(String(m.id))) return;
      seen.add(String(m.id));
      const item = document.createElement("li");
      item.className = "msg msg--" + m.author;
      item.dataset.id = String(m.id);
      const meta = document.createElement("div");
      meta.className = "msg__meta";
      const who = document.createElement("span");
      who.className = "msg__who";
      who.textContent = m.who;
      const time = document.createElement("time");
      time.textContent = m.time;
      meta.append(who, time);
      if (m.status) meta.append(...badge(m.id, m.status, m.status_label, m.outbox_id));
      const text = document.createElement("div");
      text.className = "msg__text";
      text.dir = "auto";
      text.textContent = m.text;
      item.append(meta, text);
      list.appendChild(item);
      scroll();
    });
    source.addEventListener("status", (event) => {
      const s = JSON.parse(event.data);
      const old = list.querySelector('[data-status-for="' + s.id + '"]');
      if (!old || old.classList.contains("badge--" + s.status)) return;
      const meta = old.parentNode;
      meta.querySelectorAll("form.inline").forEach((f) => f.remove());
      old.replaceWith(...badge(s.id, s.status, s.label, s.outbox_id));
    });
    source.addEventListener("state", () => {
      if (leaving) return;
      const draft = document.getElementById("reply-text");
      if (!draft || !draft.value.trim()) {
        window.location.reload();
      } else {
        document.getElementById("live-changed").hidden = false;
      }
    });
    source.addEventListener("gone", () => { source.close(); });
  }

  function cannedReplies() {
    const box = document.getElementById("reply-text");
    document.querySelectorAll(".canned__use").forEach((button) => {
      button.addEventListener("click", () => {
        box.value = box.value ? box.value + "\n" + button.dataset.text : button.dataset.text;
        box.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const queue = document.getElementById("queue");
    if (queue) liveQueue(queue);
    const transcript = document.getElementById("transcript");
    if (transcript) liveTranscript(transcript);
    if (document.getElementById("reply-text")) cannedReplies();
  });
})();
