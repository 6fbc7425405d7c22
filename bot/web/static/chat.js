// Web chat widget: talks to the JSON chat API of the bot (README, "Chat API").
(function () {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const send = document.getElementById("send");
  const picker = document.getElementById("language");
  const RTL = new Set();
  let conversation = null;
  let language = null;
  let chrome = {};

  function applyLanguage(lang) {
    if (!lang || lang === language) return;
    language = lang;
    document.documentElement.lang = lang;
    document.documentElement.dir = RTL.has(lang) ? "rtl" : "ltr";
    picker.value = lang;
    fetch("api/locales/" + lang).then((r) => r.json()).then((texts) => {
      chrome = texts;
      send.textContent = texts.send || "Send";
      input.placeholder = texts.placeholder || "";
    }).catch(() => {});
  }

  function bubble(text, who) {
    const item = document.createElement("li");
    item.className = "msg msg--" + who;
    item.dir = "auto";
    item.textContent = text;  // never innerHTML: user and bot text stay text
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  function addButtons(item, buttons) {
    if (!buttons || !buttons.length) return;
    const row = document.createElement("div");
    row.className = "buttons";
    for (const b of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", () => {
        row.querySelectorAll("button").forEach((x) => { x.disabled = true; });
        post(b.payload, b.title);
      });
      row.appendChild(button);
    }
    item.appendChild(row);
  }

  function attachDocument(item, doc) {
    // A calendar file with a confirmation: a download link under the message.
    if (!doc || typeof doc.url !== "string" || !doc.url.startsWith("/api/registrations/")) return;
    const link = document.createElement("a");
    link.className = "document";
    link.href = doc.url.slice(1);  // relative to the page, like the API calls
    link.download = doc.filename || "event.ics";
    link.textContent = chrome.calendar_file || "Add to calendar (.ics)";
    item.appendChild(document.createElement("br"));
    item.appendChild(link);
  }

  function showReplies(replies) {
    for (const reply of replies) {
      const item = bubble(reply.text, "bot");
      attachDocument(item, reply.document);
      addButtons(item, reply.buttons);
    }
  }

  // Broker replies and notices pushed by the server (server-sent events). EventSource
  // reconnects by itself and sends Last-Event-ID, so the page catches up on what it missed.
  function listen(id) {
    const shown = new Set();
    const source = new EventSource("api/conversations/" + encodeURIComponent(id) + "/events");
    source.addEventListener("message", (event) => {
      const pushed = JSON.parse(event.data);
      if (shown.has(pushed.id)) return;
      shown.add(pushed.id);
      const item = bubble(pushed.text, pushed.author === "broker" ? "broker" : "notice");
      attachDocument(item, pushed.document);
      addButtons(item, pushed.buttons);
    });
    source.addEventListener("gone", () => {
      // The conversation was erased (/forget): the next message starts a new one.
      source.close();
      if (conversation === id) conversation = null;
    });
  }

  async function ensureConversation() {
    if (conversation) return conversation;
    const hint = (navigator.language || "").slice(0, 2);
    const body = { channel: "web" };
    if ([...picker.options].some((o) => o.value === hint)) body.language = hint;
    const response = await fetch("api/conversations", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) {
      const refused = new Error(data.error || "Error");
      // 429 carries a localised "please wait"; anything else gets the generic apology.
      refused.userText = response.status === 429 ? data.error : null;
      throw refused;
    }
    conversation = data.conversation_id;
    listen(conversation);
    applyLanguage(data.language || body.language || "en");
    return conversation;
  }

  function deliver(id, text) {
    return fetch("api/conversations/" + encodeURIComponent(id) + "/messages", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: text }),
    });
  }

  async function post(text, shown) {
    bubble(shown || text, "me");
    send.disabled = true;
    try {
      let id = await ensureConversation();
      let response = await deliver(id, text);
      if (response.status === 404) {
        // Erased meanwhile (or expired): carry on in a new conversation.
        conversation = null;
        id = await ensureConversation();
        response = await deliver(id, text);
      }
      const data = await response.json();
      if (!response.ok) {
        // 429 carries a localised "please wait"; other errors get the generic apology.
        const shownError = response.status === 429 ? data.error : chrome.engine_unavailable;
        bubble(shownError || data.error || "Error", "bot");
        return;
      }
      applyLanguage(data.language);
      showReplies(data.replies);
    } catch (err) {
      bubble(err.userText || chrome.engine_unavailable || "…", "bot");
    } finally {
      send.disabled = false;
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    post(text);
  });

  picker.addEventListener("change", () => {
    const lang = picker.value;
    const option = picker.options[picker.selectedIndex].textContent;
    post('/change_language{"language": "' + lang + '"}', option);
  });

  // The language menu lists the bot's language packs (GET api/languages).
  async function loadLanguages() {
    try {
      const response = await fetch("api/languages");
      const data = await response.json();
      picker.replaceChildren();
      for (const lang of data.languages) {
        const option = document.createElement("option");
        option.value = lang.code;
        option.textContent = lang.name;
        option.lang = lang.code;
        picker.appendChild(option);
        if (lang.direction === "rtl") RTL.add(lang.code);
      }
      picker.value = language || "en";
    } catch (error) {
      // Without the list the menu keeps what the page has; the chat still works.
    }
  }

  loadLanguages().then(ensureConversation);
})();
