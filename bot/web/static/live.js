// Web chat, live part: broker replies and notices pushed by the server (server-sent events).
// chat.js announces the conversation; the browser's EventSource reconnects by itself and
// sends Last-Event-ID, so a page that lost the connection catches up on what it missed.
(function () {
  "use strict";
  const log = document.getElementById("log");
  const shown = new Set();

  function bubble(message) {
    if (shown.has(message.id)) return;
    shown.add(message.id);
    const item = document.createElement("li");
    item.className = "msg msg--" + (message.author === "broker" ? "broker" : "notice");
    item.dir = "auto";
    item.dataset.id = String(message.id);
    item.textContent = message.text;  // never innerHTML: a broker's text stays text
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  document.addEventListener("iesmed:conversation", (event) => {
    const source = new EventSource("api/conversations/" + encodeURIComponent(event.detail) +
                                   "/events");
    source.addEventListener("message", (e) => bubble(JSON.parse(e.data)));
    source.addEventListener("gone", () => source.close());
  });
})();
