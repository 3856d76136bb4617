// The phone's outbox (待发送). Forms marked data-outbox are sent in the background; with no
// signal (or when the send fails on the network) the submission, files included, waits in
// IndexedDB and goes when the connection returns. Drafts of those forms are kept as the
// user types. What the server answered comes from archives/submissions.py (X-Outbox: 1).
//
// For other scripts: window.Outbox.submit(form, formData, {onProgress}) -> Promise of
// {status: "saved", url} | {status: "queued", key} | {status: "invalid" | "conflict"} |
// {status: "error", code}; Outbox.queue(form, formData) -> Promise of the item kept.
// A form with data-outbox-manual is left to its own script, which calls Outbox.submit.
(function () {
  "use strict";
  if (window.Outbox) { return; }
  var script = document.currentScript;
  var config = script ? script.dataset : {};
  var USER = config.user || "";
  var KEY = "submission_key";
  var SENT_KEPT_DAYS = 7;
  var STALE_SENDING_MS = 5 * 60 * 1000;
  var channel = "BroadcastChannel" in window ? new BroadcastChannel("outbox") : null;

  // ---- IndexedDB -------------------------------------------------------------------------
  var opened = null;
  function database() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var request = indexedDB.open("hongan-outbox", 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("items", { keyPath: "key" });
          request.result.createObjectStore("drafts", { keyPath: "id" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opened;
  }

  // Run work(store) in one transaction; resolves with the last request's result.
  function inStore(name, mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result;
        var request = work(tx.objectStore(name), function (value) { result = value; });
        if (request) { request.onsuccess = function () { result = request.result; }; }
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function get(name, key) { return inStore(name, "readonly", function (s) { return s.get(key); }); }
  function put(name, value) { return inStore(name, "readwrite", function (s) { return s.put(value); }); }
  function drop(name, key) { return inStore(name, "readwrite", function (s) { return s.delete(key); }); }
  function all(name) { return inStore(name, "readonly", function (s) { return s.getAll(); }); }

  function changed() {
    if (channel) { channel.postMessage("changed"); }
    refresh();
  }

  // ---- Forms -----------------------------------------------------------------------------
  function formId(form) {
    var url = new URL(form.action || location.href, location.href);
    url.hash = "";
    return url.href;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.from(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // The form's key: kept from the page (a form the server showed again) or made now.
  function keyInput(form) {
    var input = form.querySelector("input[name=" + KEY + "]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = KEY;
      form.appendChild(input);
    }
    if (!/^[0-9a-f-]{36}$/i.test(input.value)) { input.value = newKey(); }
    return input;
  }

  function entriesOf(formData, withFiles) {
    var out = [];
    formData.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") { return; }
      if (typeof value !== "string" && (!withFiles || !value.size)) { return; }
      out.push([name, value]);
    });
    return out;
  }

  function formDataOf(entries) {
    var data = new FormData();
    entries.forEach(function (entry) {
      if (typeof entry[1] === "string") { data.append(entry[0], entry[1]); }
      else { data.append(entry[0], entry[1], entry[1].name); }
    });
    if (config.csrf) { data.set("csrfmiddlewaretoken", config.csrf); }
    return data;
  }

  // Put saved values back into a form: rows added by script first (data-outbox-add="prefix").
  function fill(form, entries) {
    var values = {};
    entries.forEach(function (entry) { (values[entry[0]] = values[entry[0]] || []).push(entry[1]); });
    form.querySelectorAll("[data-outbox-add]").forEach(function (button) {
      var total = form.querySelector("input[name='" + button.dataset.outboxAdd + "-TOTAL_FORMS']");
      var wanted = parseInt((values[total && total.name] || ["0"])[0], 10);
      for (var guard = 0; total && parseInt(total.value, 10) < wanted && guard < 50; guard++) { button.click(); }
    });
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || name === "csrfmiddlewaretoken" || !(name in values)) { return; }
      var list = values[name];
      if (element.type === "file") {
        var files = list.filter(function (v) { return typeof v !== "string"; });
        var index = seen[name] || 0;
        if (index === 0 && files.length && window.DataTransfer) {
          var transfer = new DataTransfer();
          files.forEach(function (file) { transfer.items.add(file); });
          element.files = transfer.files;
        }
        seen[name] = index + 1;
      } else if (element.type === "checkbox" || element.type === "radio") {
        element.checked = list.indexOf(element.value) !== -1;
      } else if (element.type === "select-multiple") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = list.indexOf(option.value) !== -1;
        });
      } else if (element.type !== "submit" && element.type !== "button") {
        var n = seen[name] || 0;
        if (n < list.length && typeof list[n] === "string") { element.value = list[n]; }
        seen[name] = n + 1;
      }
    });
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function shownAgain(form) {
    return !!form.querySelector(".errorlist, .errors, #stale-edit");
  }

  function titleOf(form) {
    var named = form.querySelector("input[name=name], input[name=date], input[name=visited_on]");
    var heading = document.querySelector("main h1");
    var text = heading ? heading.textContent.replace(/\s+/g, " ").trim() : document.title;
    var label = form.dataset.outbox || "";
    if (label && text.indexOf(label) === 0) { text = text.slice(label.length).trim(); }
    var parts = [text];
    if (named && named.value && text.indexOf(named.value) === -1) { parts.push(named.value); }
    return parts.join(" · ");
  }

  // ---- Drafts ----------------------------------------------------------------------------
  function draftId(form) { return USER + " " + formId(form); }

  function keepDraft(form) {
    var data = new FormData(form);
    return put("drafts", { id: draftId(form), entries: entriesOf(data, false), updated: Date.now() });
  }

  function forgetDraft(form) { return drop("drafts", draftId(form)); }

  // ---- Sending ---------------------------------------------------------------------------
  // XMLHttpRequest rather than fetch: it reports upload progress (photos).
  function send(action, formData, onProgress) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", action);
      xhr.setRequestHeader("X-Outbox", "1");
      xhr.timeout = 10 * 60 * 1000;
      if (onProgress) {
        xhr.upload.onprogress = function (event) { onProgress(event.loaded, event.total); };
      }
      xhr.onload = function () {
        var type = xhr.getResponseHeader("Content-Type") || "";
        if (type.indexOf("application/json") === 0) {
          try { resolve(JSON.parse(xhr.responseText)); return; } catch (error) { /* below */ }
        }
        var path = new URL(xhr.responseURL || action, location.href).pathname;
        if (config.login && path === config.login) { resolve({ status: "signed-out" }); return; }
        resolve({ status: "error", code: xhr.status });
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { resolve({ status: "offline" }); };
      xhr.send(formData);
    });
  }

  function itemOf(form, formData) {
    return {
      key: formData.get(KEY),
      user: USER,
      label: form.dataset.outbox || "",
      title: titleOf(form),
      action: formId(form),
      page: location.href.split("#")[0],
      entries: entriesOf(formData, true),
      state: "waiting",
      created: Date.now(),
      updated: Date.now(),
      url: "",
      note: "",
    };
  }

  function queue(form, formData) {
    formData.set(KEY, formData.get(KEY) || keyInput(form).value);
    var item = itemOf(form, formData);
    return put("items", item).then(function () {
      return forgetDraft(form);
    }).then(function () {
      changed();
      if (navigator.onLine) { flush(); }
      return item;
    });
  }

  function submit(form, formData, options) {
    options = options || {};
    formData.set(KEY, formData.get(KEY) || keyInput(form).value);
    if (config.csrf && !formData.get("csrfmiddlewaretoken")) { formData.set("csrfmiddlewaretoken", config.csrf); }
    var key = formData.get(KEY);
    if (navigator.onLine === false) {
      return queue(form, formData).then(function () { return { status: "queued", key: key }; });
    }
    return send(formId(form), formData, options.onProgress).then(function (result) {
      if (result.status === "offline" || result.status === "signed-out") {
        return queue(form, formData).then(function () { return { status: "queued", key: key }; });
      }
      if (result.status === "saved") {
        return forgetDraft(form).then(function () { return settle(key, result); });
      }
      return result;
    });
  }

  // A key saved: its outbox item (if the form came from there) is sent.
  function settle(key, result) {
    return get("items", key).then(function (item) {
      if (!item) { return result; }
      item.state = "sent";
      item.url = result.url;
      item.note = "";
      item.updated = Date.now();
      return put("items", item).then(function () { changed(); return result; });
    });
  }

  // Claim an item for sending in one transaction, so two open pages never both send it.
  // Under the send lock (Web Locks: held by one page at a time, let go when the page
  // goes) an item left "sending" was left by a page that went: it is sent again.
  function claim(key, locked) {
    return inStore("items", "readwrite", function (store, done) {
      var request = store.get(key);
      request.onsuccess = function () {
        var item = request.result;
        var stale = item && item.state === "sending" &&
          (locked || Date.now() - item.updated > STALE_SENDING_MS);
        if (item && item.user === USER && (item.state === "waiting" || stale)) {
          item.state = "sending";
          item.updated = Date.now();
          store.put(item);
          done(item);
        }
      };
    });
  }

  var flushing = null;
  function flush() {
    if (!USER || flushing) { return flushing || Promise.resolve(); }
    var locked = !!(navigator.locks && navigator.locks.request);
    var run = function () {
      return all("items").then(function (items) {
        var keys = items.filter(function (i) { return i.user === USER && i.state !== "sent"; })
          .sort(function (a, b) { return a.created - b.created; })
          .map(function (i) { return i.key; });
        return keys.reduce(function (previous, key) {
          return previous.then(function () { return sendItem(key, locked); });
        }, Promise.resolve());
      });
    };
    flushing = (locked ? navigator.locks.request("hongan-outbox-send", run) : run()).catch(function () { /* IndexedDB unavailable: nothing kept, nothing to send */ })
      .then(function () { flushing = null; changed(); });
    return flushing;
  }

  function sendItem(key, locked) {
    return claim(key, locked).then(function (item) {
      if (!item) { return null; }
      changed();
      return send(item.action, formDataOf(item.entries)).then(function (result) {
        item.updated = Date.now();
        item.state = {
          saved: "sent", invalid: "invalid", conflict: "conflict", error: "invalid",
        }[result.status] || "waiting";
        item.url = result.url || item.url;
        item.note = result.status === "error" ? "error " + result.code
          : result.status === "signed-out" ? "signed-out" : "";
        return put("items", item);
      });
    });
  }

  function retry(key) {
    return get("items", key).then(function (item) {
      if (!item) { return null; }
      item.state = "waiting";
      return put("items", item).then(flush);
    });
  }

  function discard(key) { return drop("items", key).then(changed); }

  function prune() {
    var limit = Date.now() - SENT_KEPT_DAYS * 86400000;
    return all("items").then(function (items) {
      return Promise.all(items.filter(function (i) { return i.state === "sent" && i.updated < limit; })
        .map(function (i) { return drop("items", i.key); }));
    });
  }

  // ---- The page --------------------------------------------------------------------------
  function mine(items) { return items.filter(function (i) { return i.user === USER; }); }

  function refresh() {
    if (!USER) { return Promise.resolve(); }
    return all("items").then(function (items) {
      items = mine(items);
      var waiting = items.filter(function (i) { return i.state !== "sent"; }).length;
      document.querySelectorAll("[data-outbox-count]").forEach(function (badge) {
        badge.textContent = String(waiting);
        badge.hidden = waiting === 0;
      });
      // 今日's summary (templates/archives/today/outbox.html): shown while anything waits.
      document.querySelectorAll("[data-outbox-summary]").forEach(function (section) {
        section.hidden = waiting === 0;
      });
      var list = document.getElementById("outbox-list");
      if (list) { drawList(list, items); }
    }).catch(function () { /* no IndexedDB (private mode): the count stays hidden */ });
  }

  function drawList(list, items) {
    var text = list.dataset;
    list.querySelectorAll(".outbox-item, .outbox-empty").forEach(function (el) { el.remove(); });
    items.sort(function (a, b) { return b.created - a.created; });
    if (!items.length) {
      var empty = document.createElement("p");
      empty.className = "outbox-empty muted";
      empty.textContent = text.empty;
      list.appendChild(empty);
    }
    items.forEach(function (item) {
      var card = document.createElement("div");
      card.className = "card outbox-item state-" + item.state;
      card.dataset.key = item.key;
      var head = document.createElement("p");
      var state = document.createElement("span");
      state.className = "badge outbox-state";
      state.textContent = text["state" + item.state[0].toUpperCase() + item.state.slice(1)] || item.state;
      var label = document.createElement("strong");
      label.textContent = item.label;
      head.append(state, " ", label);
      var title = document.createElement("p");
      title.textContent = item.title;
      var when = document.createElement("p");
      when.className = "muted small";
      when.textContent = new Date(item.created).toLocaleString("zh-CN");
      card.append(head, title, when);
      var note = item.note === "signed-out" ? text.noteSignedOut
        : item.note ? text.noteError + " (" + item.note + ")"
        : item.state === "invalid" ? text.noteInvalid
        : item.state === "conflict" ? text.noteConflict : "";
      if (note) {
        var p = document.createElement("p");
        p.className = "small";
        p.textContent = note;
        card.append(p);
      }
      var actions = document.createElement("div");
      actions.className = "outbox-actions";
      if (item.state === "sent" && item.url) {
        actions.append(link(item.url, text.openSent));
      }
      if (item.state === "invalid" || item.state === "conflict") {
        actions.append(link(item.page + "#outbox-" + item.key, text["open" + (item.state === "invalid" ? "Invalid" : "Conflict")]));
      }
      if (item.state === "invalid" && item.note) {
        actions.append(button(text.retry, function () { retry(item.key); }));
      }
      if (item.state !== "sent" && item.state !== "sending") {
        actions.append(button(text.discard, function () {
          if (window.confirm(text.confirmDiscard)) { discard(item.key); }
        }));
      }
      card.append(actions);
      list.appendChild(card);
    });
  }

  function link(href, label) {
    var a = document.createElement("a");
    a.className = "btn";
    a.href = href;
    a.textContent = label;
    return a;
  }

  function button(label, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn";
    b.textContent = label;
    b.addEventListener("click", action);
    return b;
  }

  function notice(form, html) {
    var box = form.querySelector(".outbox-notice");
    if (!box) {
      box = document.createElement("div");
      box.className = "outbox-notice";
      box.setAttribute("role", "status");
      form.prepend(box);
    }
    box.textContent = "";
    var p = document.createElement("p");
    p.textContent = html.text;
    box.append(p);
    if (html.href) { box.append(link(html.href, html.link)); }
    box.scrollIntoView({ block: "nearest" });
  }

  // Where the save led; the same page with another #anchor (a visit) is loaded again.
  function go(url) {
    var target = new URL(url, location.href);
    if (target.pathname + target.search === location.pathname + location.search) {
      history.replaceState(null, "", target.href);
      location.reload();
    } else {
      location.assign(target.href);
    }
  }

  function busy(form, on) {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.disabled = on; });
  }

  // The form is sent here unless it is sent as a page (a form shown again with errors).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-outbox]") || form.hasAttribute("data-outbox-manual")) { return; }
    if (form.dataset.outboxNative === "1" || !USER) { return; }
    event.preventDefault();
    if (form.dataset.outboxBusy === "1") { return; }
    form.dataset.outboxBusy = "1";
    busy(form, true);
    var data = event.submitter ? new FormData(form, event.submitter) : new FormData(form);
    submit(form, data).then(function (result) {
      if (result.status === "saved") {
        go(result.url);
        return;
      }
      form.dataset.outboxBusy = "";
      busy(form, false);
      if (result.status === "queued") {
        form.reset();
        keyInput(form).value = newKey();
        notice(form, { text: config.queued, href: config.pending, link: config.pendingLabel });
        return;
      }
      // Errors or a conflict: send it as a page, and the server shows what to change.
      form.dataset.outboxNative = "1";
      form.submit();
    }, function () {
      form.dataset.outboxBusy = "";
      busy(form, false);
    });
  });

  function prepare(form) {
    var key = keyInput(form);
    var opening = location.hash.indexOf("#outbox-") === 0 ? location.hash.slice(8) : "";
    var start;
    if (opening) {
      // Opened from the outbox to correct or resolve: its values, sent as a page, so the
      // server shows the errors or the differences with them.
      start = get("items", opening).then(function (item) {
        if (!item || item.user !== USER || item.action !== formId(form)) { return; }
        history.replaceState(null, "", location.pathname + location.search);
        fill(form, item.entries);
        key.value = item.key;
        form.dataset.outboxNative = "1";
        form.submit();
      });
    } else if (shownAgain(form)) {
      start = keepDraft(form);  // the server's answer is what the phone keeps now
    } else {
      start = get("drafts", draftId(form)).then(function (draft) {
        if (!draft) { return; }
        fill(form, draft.entries);
        if (!/^[0-9a-f-]{36}$/i.test(key.value)) { key.value = newKey(); }
        notice(form, { text: config.draftRestored });
      });
    }
    var timer = null;
    function later() {
      clearTimeout(timer);
      timer = setTimeout(function () { keepDraft(form); }, 400);
    }
    start.catch(function () { /* no IndexedDB: no drafts */ }).then(function () {
      form.addEventListener("input", later);
      form.addEventListener("change", later);
    });
  }

  // Keep the outbox page itself, so it opens without signal.
  function keepPendingPage() {
    if (!config.pending || !navigator.onLine || !("caches" in window)) { return; }
    caches.open("pages").then(function (cache) {
      return cache.match(config.pending, { ignoreVary: true }).then(function (found) {
        if (found) { return null; }
        return fetch(config.pending, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) { return cache.put(config.pending, response); }
          return null;
        });
      });
    }).catch(function () { /* no Cache API: the page opens with signal only */ });
  }

  // At logout the pages kept on this phone go (they are this user's).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form.logout") || !("caches" in window) || form.dataset.cleared) { return; }
    event.preventDefault();
    var go = function () { form.dataset.cleared = "1"; form.submit(); };
    caches.delete("pages").then(go, go);
  });

  if (!USER && "caches" in window) { caches.delete("pages"); }

  if ("serviceWorker" in navigator && config.sw) {
    navigator.serviceWorker.register(config.sw, { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function () { if (USER) { keepPendingPage(); } })
      .catch(function () { /* no worker (not a secure context): forms still queue */ });
  }

  window.addEventListener("online", function () { flush(); });
  if (channel) { channel.onmessage = function () { refresh(); }; }
  document.querySelectorAll("[data-outbox-send]").forEach(function (b) {
    b.addEventListener("click", function () { flush(); });
  });
  if (USER) {
    document.querySelectorAll("form[data-outbox]").forEach(prepare);
    prune().catch(function () { return null; }).then(refresh).then(function () {
      if (navigator.onLine) { flush(); }
    });
  }

  window.Outbox = {
    submit: submit,
    queue: queue,
    flush: flush,
    retry: retry,
    items: function () { return all("items").then(mine); },
  };
}());
