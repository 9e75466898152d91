/* The offline sandbox's web chat. Plain JavaScript, no libraries, nothing loaded from outside.
 *
 * Everything the bot wrote is put on the page with textContent and createElement only: the
 * server sends plain text plus Telegram message entities (bold, italic, links, code, ...), and
 * this file turns the entities into elements. No bot text ever goes through innerHTML.
 */
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const els = {
    app: $("app"),
    personas: $("personas"),
    messages: $("messages"),
    chatTitle: $("chat-title"),
    chatSubtitle: $("chat-subtitle"),
    botAvatar: $("bot-avatar"),
    back: $("back"),
    banner: $("banner"),
    composer: $("composer"),
    text: $("text"),
    startWrap: $("start-wrap"),
    start: $("start"),
    menuButton: $("menu-button"),
    commands: $("commands"),
    commandList: $("command-list"),
    keyboardToggle: $("keyboard-toggle"),
    replyKeyboard: $("reply-keyboard"),
    toast: $("toast"),
    alert: $("alert"),
    alertTitle: $("alert-title"),
    alertText: $("alert-text"),
    alertOk: $("alert-ok"),
  };
  const narrow = window.matchMedia("(max-width: 720px)");

  /** Per-persona state, keyed by the persona's Telegram id (as a string). */
  const chats = new Map();
  let order = [];
  let activeId = null;
  let bot = { name: "KIS", username: "kis_sandbox_bot" };
  let toastTimer = 0;
  let alertReturnFocus = null;
  let focusNewButtons = false;

  // ------------------------------------------------------------------ HTTP

  async function api(path, body) {
    const options = body === undefined
      ? { method: "GET" }
      : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    const response = await fetch(path, options);
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok || !data || data.ok !== true) {
      const error = new Error((data && data.error) || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // ------------------------------------------------------------------ helpers

  function initials(name) {
    return name.split(/\s+/).filter(Boolean).slice(0, 2).map((part) => part[0]).join("").toUpperCase();
  }

  function avatar(name, tone, extraClass) {
    const el = document.createElement("div");
    el.className = `avatar r${tone % 7}${extraClass ? " " + extraClass : ""}`;
    el.setAttribute("aria-hidden", "true");
    el.textContent = initials(name);
    return el;
  }

  function clock(seconds) {
    const date = seconds ? new Date(seconds * 1000) : new Date();
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  function humanSize(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(url, window.location.href);
      if (["http:", "https:", "mailto:", "tel:"].includes(parsed.protocol)) return parsed.href;
    } catch (_) {
      /* not a URL */
    }
    return null;
  }

  function isNearBottom() {
    const m = els.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 80;
  }

  function scrollToBottom() {
    els.messages.scrollTop = els.messages.scrollHeight;
  }

  // ------------------------------------------------------------------ formatted text

  const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

  /** Plain text with bare http(s) links made clickable. */
  function appendPlain(parent, text) {
    if (!text) return;
    let last = 0;
    for (const match of text.matchAll(URL_RE)) {
      parent.append(text.slice(last, match.index));
      const href = safeUrl(match[0]);
      if (href) {
        const a = document.createElement("a");
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.textContent = match[0];
        parent.append(a);
      } else {
        parent.append(match[0]);
      }
      last = match.index + match[0].length;
    }
    parent.append(text.slice(last));
  }

  function entityElement(entity) {
    const simple = {
      bold: "b",
      italic: "i",
      underline: "u",
      strikethrough: "s",
      code: "code",
      blockquote: "blockquote",
      expandable_blockquote: "blockquote",
    };
    if (simple[entity.type]) return document.createElement(simple[entity.type]);
    if (entity.type === "pre") {
      const pre = document.createElement("pre");
      const code = document.createElement("code");
      pre.append(code);
      return { outer: pre, inner: code };
    }
    if (entity.type === "text_link" || entity.type === "url") {
      const href = entity.url ? safeUrl(entity.url) : null;
      if (href) {
        const a = document.createElement("a");
        a.href = href;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        return a;
      }
      return document.createElement("span");
    }
    if (entity.type === "spoiler") {
      const span = document.createElement("span");
      span.className = "spoiler";
      span.title = "Hidden text: click to show";
      span.addEventListener("click", () => span.classList.add("shown"));
      return span;
    }
    return document.createElement("span");
  }

  /**
   * Text with Telegram entities (offsets in UTF-16 code units, which is what JavaScript
   * strings count) as a tree of elements. Overlapping, non-nested entities are skipped.
   */
  function renderFormatted(text, entities) {
    const root = document.createElement("div");
    root.className = "text";
    const list = (entities || [])
      .filter((e) => Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0)
      .filter((e) => e.offset >= 0 && e.offset + e.length <= text.length)
      .sort((a, b) => a.offset - b.offset || b.length - a.length);

    function build(parent, start, end, items) {
      let pos = start;
      let i = 0;
      while (i < items.length) {
        const entity = items[i];
        if (entity.offset < pos) {
          i += 1;
          continue;
        }
        appendPlain(parent, text.slice(pos, entity.offset));
        const stop = Math.min(entity.offset + entity.length, end);
        const children = [];
        let j = i + 1;
        while (j < items.length && items[j].offset < stop) {
          if (items[j].offset + items[j].length <= stop) children.push(items[j]);
          j += 1;
        }
        const made = entityElement(entity);
        const outer = made.outer || made;
        const inner = made.inner || made;
        if (outer.tagName === "A") {
          inner.append(text.slice(entity.offset, stop));
        } else {
          build(inner, entity.offset, stop, children);
        }
        parent.append(outer);
        pos = stop;
        i = j;
      }
      appendPlain(parent, text.slice(pos, end));
    }

    build(root, 0, text.length, list);
    return root;
  }

  // ------------------------------------------------------------------ messages

  function metaLine(message) {
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = (message.edited ? "edited " : "") + clock(message.date);
    if (message.from === "user") meta.textContent += " ✓✓";
    return meta;
  }

  function renderInlineKeyboard(chatId, message) {
    const box = document.createElement("div");
    box.className = "inline-keyboard";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Buttons of this message");
    for (const row of message.inline_keyboard) {
      const rowEl = document.createElement("div");
      rowEl.className = "ik-row";
      for (const button of row) {
        let el;
        if (typeof button.url === "string") {
          const href = safeUrl(button.url);
          el = document.createElement(href ? "a" : "span");
          if (href) {
            el.href = href;
            el.target = "_blank";
            el.rel = "noopener noreferrer";
          }
          el.append(button.text);
          const corner = document.createElement("span");
          corner.className = "corner";
          corner.setAttribute("aria-hidden", "true");
          corner.textContent = "↗";
          el.append(corner);
        } else {
          el = document.createElement("button");
          el.type = "button";
          el.textContent = button.text;
          if (typeof button.callback_data === "string") {
            el.addEventListener("click", () => pressInline(chatId, message.message_id, button.callback_data, el));
          } else if (button.copy_text && typeof button.copy_text.text === "string") {
            el.addEventListener("click", () => {
              navigator.clipboard?.writeText(button.copy_text.text);
              showToast("Copied");
            });
          } else {
            el.disabled = true;
            el.title = "This kind of button is not simulated";
          }
        }
        el.classList.add("ik-button");
        rowEl.append(el);
      }
      box.append(rowEl);
    }
    return box;
  }

  function renderMessage(chatId, message) {
    const wrap = document.createElement("div");
    wrap.className = `message ${message.from === "user" ? "out" : "in"}`;
    wrap.dataset.mid = String(message.message_id);
    const persona = chats.get(chatId).persona;
    if (message.from === "bot") wrap.lang = persona.language;
    const bubble = document.createElement("div");
    bubble.className = "bubble";

    if (message.photo) {
      const link = document.createElement("a");
      link.href = message.photo.url;
      link.target = "_blank";
      link.rel = "noopener";
      const img = document.createElement("img");
      img.className = "photo";
      img.src = message.photo.url;
      img.alt = message.text ? `Photo: ${message.text}` : "Photo from the bot";
      img.loading = "lazy";
      img.addEventListener("load", () => {
        if (chatId === activeId) scrollToBottom();
      });
      link.append(img);
      bubble.append(link);
    }
    if (message.document) {
      const doc = message.document;
      const link = document.createElement("a");
      link.className = "document";
      link.href = `${doc.url}?download=1`;
      link.download = doc.file_name || "file";
      const icon = document.createElement("span");
      icon.className = "document-icon";
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = "⬇";
      const label = document.createElement("span");
      const name = document.createElement("span");
      name.className = "document-name";
      name.textContent = doc.file_name || "file";
      const size = document.createElement("span");
      size.className = "document-size";
      size.textContent = ` · ${humanSize(doc.size)} · download`;
      label.append(name, size);
      link.append(icon, label);
      bubble.append(link);
    }
    if (message.kind === "contact") {
      const card = document.createElement("div");
      card.className = "contact";
      card.append(avatar(persona.name, 3));
      const details = document.createElement("div");
      details.className = "text";
      details.textContent = message.text;
      card.append(details);
      bubble.append(card);
    } else if (message.text) {
      bubble.append(renderFormatted(message.text, message.entities));
    }
    bubble.append(metaLine(message));
    wrap.append(bubble);
    if (message.inline_keyboard && message.inline_keyboard.length) {
      wrap.append(renderInlineKeyboard(chatId, message));
    }
    return wrap;
  }

  /** Put a message in its place (order = message_id); an edit replaces it where it is. */
  function upsertMessageNode(chatId, message, { flash }) {
    const container = els.messages;
    const empty = container.querySelector(".empty");
    if (empty) empty.remove();
    const node = renderMessage(chatId, message);
    const existing = container.querySelector(`[data-mid="${message.message_id}"]`);
    if (existing) {
      const focused = document.activeElement;
      let focusIndex = -1;
      if (focused && existing.contains(focused)) {
        focusIndex = Array.from(existing.querySelectorAll("button, a")).indexOf(focused);
      }
      existing.replaceWith(node);
      if (flash) node.classList.add("flash");
      if (focusIndex >= 0) {
        const targets = node.querySelectorAll("button, a");
        const target = targets[Math.min(focusIndex, targets.length - 1)];
        (target || els.messages).focus({ preventScroll: false });
      }
      return node;
    }
    const later = Array.from(container.children).find((child) => Number(child.dataset.mid) > message.message_id);
    container.insertBefore(node, later || null);
    return node;
  }

  function renderEmpty() {
    const empty = document.createElement("p");
    empty.className = "empty";
    empty.textContent = "No messages yet. Press START at the bottom to begin, as in Telegram.";
    els.messages.replaceChildren(empty);
  }

  function renderChat() {
    const chat = chats.get(activeId);
    if (!chat) return;
    const sorted = Array.from(chat.messages.values()).sort((a, b) => a.message_id - b.message_id);
    els.messages.replaceChildren();
    if (!sorted.length) renderEmpty();
    for (const message of sorted) upsertMessageNode(activeId, message, { flash: false });
    els.chatTitle.textContent = bot.name;
    els.chatSubtitle.textContent = `bot · you are ${chat.persona.name} (${chat.persona.label})`;
    els.text.lang = chat.persona.language;
    renderBottom();
    scrollToBottom();
  }

  function renderBottom() {
    const chat = chats.get(activeId);
    if (!chat) return;
    const fresh = chat.messages.size === 0;
    els.startWrap.hidden = !fresh;
    els.composer.hidden = fresh;
    const keyboard = chat.keyboard;
    els.keyboardToggle.hidden = !keyboard;
    els.keyboardToggle.setAttribute("aria-pressed", String(Boolean(keyboard && !chat.keyboardHidden)));
    els.text.placeholder = (keyboard && keyboard.placeholder) || "Message";
    if (!keyboard || chat.keyboardHidden || fresh) {
      els.replyKeyboard.hidden = true;
      els.replyKeyboard.replaceChildren();
      els.replyKeyboard.dataset.signature = "";
      return;
    }
    // Rebuild only when the keyboard changed, so a focused key keeps the focus.
    const signature = `${activeId}:${JSON.stringify(keyboard)}`;
    if (els.replyKeyboard.dataset.signature === signature && !els.replyKeyboard.hidden) return;
    const focusIndex = Array.from(els.replyKeyboard.querySelectorAll("button")).indexOf(document.activeElement);
    els.replyKeyboard.dataset.signature = signature;
    const rows = keyboard.rows.map((row, r) => {
      const rowEl = document.createElement("div");
      rowEl.className = "rk-row";
      row.forEach((button, c) => {
        const el = document.createElement("button");
        el.type = "button";
        el.className = "rk-button";
        el.textContent = button.text;
        if (button.request_contact) el.title = `Shares ${chat.persona.phone} with the bot`;
        el.addEventListener("click", () => pressKeyboard(r, c));
        rowEl.append(el);
      });
      return rowEl;
    });
    els.replyKeyboard.replaceChildren(...rows);
    els.replyKeyboard.hidden = false;
    if (focusIndex >= 0) {
      const keys = els.replyKeyboard.querySelectorAll("button");
      keys[Math.min(focusIndex, keys.length - 1)]?.focus();
    }
  }

  // ------------------------------------------------------------------ persona list

  function preview(chat) {
    const last = Array.from(chat.messages.values()).sort((a, b) => b.message_id - a.message_id)[0];
    if (!last) return "No messages yet";
    const prefix = last.from === "user" ? "You: " : "";
    if (last.document) return `${prefix}📄 ${last.document.file_name}`;
    if (last.photo) return `${prefix}🖼 Photo`;
    return prefix + (last.text || "").split("\n")[0];
  }

  function renderPersonas() {
    const items = order.map((id, index) => {
      const chat = chats.get(id);
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "persona";
      button.dataset.id = id;
      button.dataset.key = chat.persona.key;
      if (id === activeId) button.setAttribute("aria-current", "true");
      button.append(avatar(chat.persona.name, index));
      const name = document.createElement("span");
      name.className = "persona-name";
      name.textContent = chat.persona.name;
      button.append(name);
      const badge = document.createElement("span");
      if (chat.unread && id !== activeId) {
        badge.className = "badge";
        badge.textContent = String(chat.unread);
        badge.setAttribute("aria-label", `${chat.unread} new`);
      }
      button.append(badge);
      const label = document.createElement("span");
      label.className = "persona-label";
      label.textContent = chat.persona.label;
      button.append(label);
      const text = document.createElement("span");
      text.className = "persona-preview";
      text.textContent = preview(chat);
      button.append(text);
      button.addEventListener("click", () => openChat(id, { focus: true }));
      li.append(button);
      return li;
    });
    const focusedId = document.activeElement && document.activeElement.classList.contains("persona")
      ? document.activeElement.dataset.id
      : null;
    els.personas.replaceChildren(...items);
    if (focusedId) els.personas.querySelector(`[data-id="${focusedId}"]`)?.focus();
  }

  function openChat(id, { focus }) {
    if (!chats.has(id)) return;
    activeId = id;
    const chat = chats.get(id);
    chat.unread = 0;
    closeCommands();
    els.app.dataset.view = "chat";
    if (window.location.hash !== `#${chat.persona.key}`) {
      history.replaceState(null, "", `#${chat.persona.key}`);
    }
    renderPersonas();
    renderChat();
    if (focus) (chat.messages.size === 0 ? els.start : els.text).focus();
  }

  function showList() {
    els.app.dataset.view = "list";
    const current = els.personas.querySelector(`[data-id="${activeId}"]`);
    (current || els.personas.querySelector("button"))?.focus();
  }

  // ------------------------------------------------------------------ toast and alert

  function showToast(text) {
    els.toast.textContent = text;
    els.toast.classList.add("visible");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => els.toast.classList.remove("visible"), 2600);
  }

  function showAlert(text) {
    alertReturnFocus = document.activeElement;
    els.alertTitle.textContent = bot.name;
    els.alertText.textContent = text;
    els.alert.hidden = false;
    els.alertOk.focus();
  }

  function closeAlert() {
    els.alert.hidden = true;
    if (alertReturnFocus && document.contains(alertReturnFocus)) alertReturnFocus.focus();
    else els.text.focus();
  }

  function showBanner(text) {
    els.banner.textContent = text;
    els.banner.hidden = !text;
  }

  // ------------------------------------------------------------------ actions

  async function act(chatId, action, body) {
    try {
      const data = await api(`/api/chats/${chatId}/${action}`, body);
      if (data.message) applyOwnMessage(chatId, data.message);
      return data;
    } catch (error) {
      showToast(error.status === 409 ? "That button is no longer there." : `Not sent: ${error.message}`);
      return null;
    }
  }

  function applyOwnMessage(chatId, message) {
    const chat = chats.get(chatId);
    if (!chat) return;
    chat.messages.set(message.message_id, message);
    if (chatId === activeId) {
      upsertMessageNode(chatId, message, { flash: false });
      renderBottom();
      scrollToBottom();
    }
  }

  async function sendText(text) {
    const trimmed = text.trim();
    if (!trimmed || activeId === null) return;
    await act(activeId, "send", { text: trimmed });
  }

  function pressInline(chatId, messageId, data, el) {
    el.classList.add("pending");
    el.setAttribute("aria-busy", "true");
    setTimeout(() => {
      el.classList.remove("pending");
      el.removeAttribute("aria-busy");
    }, 2500);
    focusNewButtons = true;
    act(chatId, "press", { message_id: messageId, data });
  }

  function pressKeyboard(row, column) {
    const chat = chats.get(activeId);
    if (chat && chat.keyboard && chat.keyboard.one_time) {
      chat.keyboard = null;
      renderBottom();
      els.text.focus();
    }
    act(activeId, "keyboard", { row, column });
  }

  async function toggleCommands() {
    if (!els.commands.hidden) {
      closeCommands();
      return;
    }
    let commands = [];
    try {
      commands = (await api(`/api/chats/${activeId}/commands`)).commands;
    } catch (_) {
      commands = [];
    }
    const items = commands.map((command) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "command";
      const name = document.createElement("span");
      name.className = "command-name";
      name.textContent = `/${command.command}`;
      const description = document.createElement("span");
      description.className = "command-description";
      description.textContent = command.description;
      button.append(name, description);
      button.addEventListener("click", () => {
        closeCommands();
        els.text.focus();
        sendText(`/${command.command}`);
      });
      li.append(button);
      return li;
    });
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "command";
      li.textContent = "The bot has not set any commands yet.";
      items.push(li);
    }
    els.commandList.replaceChildren(...items);
    els.commands.hidden = false;
    els.menuButton.setAttribute("aria-expanded", "true");
    els.commandList.querySelector("button")?.focus();
  }

  function closeCommands() {
    els.commands.hidden = true;
    els.menuButton.setAttribute("aria-expanded", "false");
  }

  // ------------------------------------------------------------------ polling

  function applyChanges(chatId, news, initial) {
    const chat = chats.get(chatId);
    if (!chat) return;
    const active = chatId === activeId;
    const stick = active && isNearBottom();
    let newBotMessage = null;
    chat.cursor = { bot: news.bot, user: news.user };
    for (const message of news.messages) {
      const known = chat.messages.has(message.message_id);
      chat.messages.set(message.message_id, message);
      if (active) upsertMessageNode(chatId, message, { flash: known && !initial && message.from === "bot" });
      if (!known && message.from === "bot") {
        newBotMessage = message;
        if (!active && !initial) chat.unread += 1;
      }
    }
    for (const id of news.deleted) {
      chat.messages.delete(id);
      if (active) els.messages.querySelector(`[data-mid="${id}"]`)?.remove();
    }
    const keyboardChanged = JSON.stringify(chat.keyboard) !== JSON.stringify(news.keyboard);
    chat.keyboard = news.keyboard;
    if (keyboardChanged) chat.keyboardHidden = false;
    if (active) {
      if (!chat.messages.size) renderEmpty();
      renderBottom();
      if (stick || newBotMessage) scrollToBottom();
      if (!initial) {
        for (const answer of news.answers) {
          if (!answer.text) continue;
          if (answer.show_alert) showAlert(answer.text);
          else showToast(answer.text);
        }
      }
      if (focusNewButtons && newBotMessage && newBotMessage.inline_keyboard) {
        const inMessages = els.messages.contains(document.activeElement);
        const node = els.messages.querySelector(`[data-mid="${newBotMessage.message_id}"]`);
        const first = node && node.querySelector(".ik-button");
        if (inMessages && first) first.focus();
        focusNewButtons = false;
      }
    }
  }

  async function pollForever() {
    let initial = true;
    for (;;) {
      const cursors = {};
      for (const [id, chat] of chats) cursors[id] = chat.cursor;
      try {
        const data = await api("/api/poll", { chats: cursors, wait: initial ? 0 : 25 });
        showBanner("");
        for (const [id, news] of Object.entries(data.chats)) applyChanges(id, news, initial);
        if (Object.keys(data.chats).length || initial) renderPersonas();
        initial = false;
      } catch (error) {
        showBanner("The sandbox is not answering. Is `make run` still running? Retrying…");
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
    }
  }

  // ------------------------------------------------------------------ wiring

  function wire() {
    els.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = els.text.value;
      els.text.value = "";
      autoSize();
      sendText(text);
    });
    els.text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        els.composer.requestSubmit();
      }
    });
    els.text.addEventListener("input", autoSize);
    els.start.addEventListener("click", async () => {
      await sendText("/start");
      els.text.focus();
    });
    els.menuButton.addEventListener("click", toggleCommands);
    els.keyboardToggle.addEventListener("click", () => {
      const chat = chats.get(activeId);
      if (!chat) return;
      chat.keyboardHidden = !chat.keyboardHidden;
      renderBottom();
    });
    els.back.addEventListener("click", showList);
    els.alertOk.addEventListener("click", closeAlert);
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      if (!els.alert.hidden) {
        closeAlert();
      } else if (!els.commands.hidden) {
        closeCommands();
        els.menuButton.focus();
      } else if (narrow.matches && els.app.dataset.view === "chat") {
        showList();
      }
    });
    els.alert.addEventListener("keydown", (event) => {
      if (event.key === "Tab") {
        event.preventDefault(); // one button: keep the focus in the dialog
        els.alertOk.focus();
      }
    });
    window.addEventListener("hashchange", () => {
      const id = idForKey(window.location.hash.slice(1));
      if (id && id !== activeId) openChat(id, { focus: false });
    });
  }

  function autoSize() {
    els.text.style.height = "auto";
    els.text.style.height = `${Math.min(els.text.scrollHeight + 2, 140)}px`;
  }

  function idForKey(key) {
    for (const [id, chat] of chats) if (chat.persona.key === key) return id;
    return null;
  }

  async function main() {
    wire();
    let data;
    for (;;) {
      try {
        data = await api("/api/personas");
        break;
      } catch (_) {
        showBanner("The sandbox is not answering. Is `make run` still running? Retrying…");
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
    }
    showBanner("");
    bot = data.bot;
    els.botAvatar.textContent = (bot.name || "KIS").slice(0, 3);
    for (const persona of data.personas) {
      const id = String(persona.id);
      order.push(id);
      chats.set(id, {
        persona,
        cursor: { bot: 0, user: 0 },
        messages: new Map(),
        keyboard: null,
        keyboardHidden: false,
        unread: 0,
      });
    }
    renderPersonas();
    const fromHash = idForKey(window.location.hash.slice(1));
    if (fromHash) openChat(fromHash, { focus: false });
    else if (!narrow.matches && order.length) openChat(order[0], { focus: false });
    else els.app.dataset.view = "list";
    pollForever();
  }

  main();
})();
