/* SEND feedback chat widget: one short question at a time, easy read, big buttons.
   Embed: <script src="https://HOST/chat/widget.js" data-survey="..." data-service="..." data-lang="pl" async></script>
   No framework, no cookies; everything lives in a shadow root so the host page's CSS cannot reach it.
   On a small or short screen (a phone, a landscape phone, 200-400% zoom) the chat opens full-screen as
   a modal dialog and the whole of it scrolls; on a large screen it floats beside the page. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var survey = script.getAttribute("data-survey") || "";
  var service = script.getAttribute("data-service") || "";
  var lang = script.getAttribute("data-lang") || document.documentElement.lang || "";
  var base = new URL(script.src, window.location.href).origin;
  var api = base + "/chat/api/v1";
  var storeKey = "send-feedback-chat:" + survey + ":" + service;
  var RESUME_MS = 55 * 60 * 1000;
  var TIMEOUT_MS = 10000;
  // Full-screen below 640 x 560 CSS pixels: 300% zoom of a 1280 x 1024 screen is 427 x 341.
  var SMALL = "(max-width: 40em), (max-height: 35em)";

  function warn(why) {
    window.console && console.warn("SEND feedback chat not shown: " + why);
  }
  if (!survey) { warn("the script tag has no data-survey."); return; }

  function call(method, path, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    if (lang && lang !== "en") path += (path.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(lang);
    return fetch(api + path, {
      method: method, credentials: "omit", signal: controller && controller.signal,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      clearTimeout(timer);
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { data.status = response.status; throw data; }
        return data;
      });
    }, function () { clearTimeout(timer); throw { offline: true }; });
  }

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box}",
    ".w{font-family:Arial,Helvetica,sans-serif;font-size:max(20px,1.25rem);line-height:1.4;color:#0b0c0c}",
    ".launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;font:inherit;font-weight:bold;",
    "background:#1d70b8;color:#fff;border:3px solid #0b0c0c;border-radius:32px;padding:12px 20px;cursor:pointer;min-height:56px}",
    ".launcher:hover{background:#003078}",
    "[hidden]{display:none!important}",
    "button:focus-visible,textarea:focus-visible{outline:4px solid #fd0;outline-offset:0;box-shadow:0 0 0 7px #0b0c0c}",
    // The whole panel scrolls (not the messages alone), so at any zoom every answer can be reached.
    ".panel{position:fixed;inset:auto 8px 8px auto;z-index:2147483001;margin:0;padding:0;width:min(440px,calc(100vw - 16px));",
    "max-height:calc(100vh - 16px);overflow-y:auto;overscroll-behavior:contain;background:#fff;color:#0b0c0c;",
    "border:3px solid #0b0c0c;border-radius:8px}",
    ".panel.full{inset:0;width:100%;height:100%;max-width:none;max-height:none;border:0;border-radius:0}",
    ".panel::backdrop{background:rgba(11,12,12,.6)}",
    ".head{display:flex;flex-wrap:wrap;gap:6px;align-items:center;padding:8px 10px;border-bottom:2px solid #0b0c0c;background:#f3f2f1}",
    ".head h2{flex:1 1 8em;margin:0;font-size:1em}",
    ".small{font:inherit;background:#fff;color:#0b0c0c;border:2px solid #0b0c0c;border-radius:4px;padding:4px 10px;cursor:pointer;min-height:48px}",
    ".small[aria-pressed=true]{background:#0b0c0c;color:#fff}",
    ".log{padding:10px 10px 0}",
    ".msg{margin:0 0 8px;padding:8px 12px;border-radius:12px;max-width:90%;background:#f3f2f1;overflow-wrap:anywhere}",
    ".me{margin-left:auto;background:#1d70b8;color:#fff}",
    ".help{background:#fff7bf;border:2px solid #594d00;font-weight:bold}",
    // The question being asked stands apart from the messages before it.
    ".q{max-width:none;margin-top:14px;background:#fff;border:3px solid #1d70b8;border-left-width:10px;border-radius:4px;font-weight:bold;font-size:1.1em}",
    ".answers{padding:8px 10px 10px;display:grid;grid-template-columns:repeat(auto-fill,minmax(120px,1fr));gap:8px}",
    ".answer{font:inherit;display:flex;flex-direction:column;align-items:center;gap:2px;padding:6px;min-height:80px;",
    "background:#fff;color:#0b0c0c;border:2px solid #0b0c0c;border-radius:8px;cursor:pointer;overflow-wrap:anywhere}",
    ".answer:hover{background:#f3f2f1}",
    ".answer img{width:40px;height:40px}",
    ".text{grid-column:1/-1;display:flex;flex-direction:column;gap:8px}",
    "textarea{font:inherit;width:100%;min-height:4.5em;padding:6px;border:2px solid #0b0c0c}",
    ".answers>.send{grid-column:1/-1}",
    ".send{font:inherit;font-weight:bold;background:#00703c;color:#fff;border:2px solid #0b0c0c;padding:8px 16px;min-height:48px;cursor:pointer}",
    ".status{padding:0 10px}",
    ".status p{margin:8px 0;color:#942514;font-weight:bold}",
    "@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important;scroll-behavior:auto!important}}",
    "@media (forced-colors:active){.launcher,.answer,.send,.small,.q{border:2px solid ButtonText}}"
  ].join("");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs) if (attrs[key] !== null) node.setAttribute(key, attrs[key]);
    if (text) node.textContent = text;
    return node;
  }

  function build(info) {
    var words = info.ui || {};
    lang = info.lang; // what the service can speak for this survey (English if not translated)
    function t(english, n) { return (words[english] || english).replace("{n}", n); }
    var host = el("div", { "data-send-feedback-chat": "" });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    // A constructed stylesheet is not inline style, so strict host CSPs still let it apply.
    var sheet = null;
    try { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); } catch (e) { sheet = null; }
    var wrap = el("div", { "class": "w", lang: info.lang || null, dir: info.dir || null });
    var launcher = el("button", { "class": "launcher", type: "button", "aria-haspopup": "dialog" },
      t("Tell us what you think"));
    var panel = el("dialog", { "class": "panel", "aria-labelledby": "chat-title" });
    var head = el("div", { "class": "head" });
    var title = el("h2", { id: "chat-title" }, t("Tell us what you think"));
    var speak = "speechSynthesis" in window;
    var aloud = speak ? el("button", { "class": "small", type: "button", "aria-pressed": "false" }, t("Read aloud")) : null;
    var close = el("button", { "class": "small", type: "button" }, t("Close"));
    var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": t("Messages") });
    var answers = el("div", { "class": "answers", role: "group" });
    var status = el("div", { "class": "status", role: "alert" });
    head.appendChild(title);
    if (aloud) head.appendChild(aloud);
    head.appendChild(close);
    panel.appendChild(head); panel.appendChild(log); panel.appendChild(answers); panel.appendChild(status);
    wrap.appendChild(launcher); wrap.appendChild(panel);
    if (sheet && "adoptedStyleSheets" in root) root.adoptedStyleSheets = [sheet];
    else root.appendChild(el("style", {}, CSS)); // older browsers: inline, if the host's CSP allows
    root.appendChild(wrap);
    document.body.appendChild(host);

    var token = null, turn = null, retry = null, started = false, asked = 0, starting = null;
    var small = window.matchMedia ? window.matchMedia(SMALL) : { matches: false };

    function say(text, mine, help, question) {
      var p = el("p", { "class": "msg" + (mine ? " me" : "") + (help ? " help" : "") + (question ? " q" : "") },
        (mine ? t("You:") + " " : "") + text);
      if (question) { p.id = "chat-q" + (++asked); answers.setAttribute("aria-labelledby", p.id); }
      log.appendChild(p);
      if (!mine && aloud && aloud.getAttribute("aria-pressed") === "true") {
        var utterance = new SpeechSynthesisUtterance(text);
        if (info.lang) utterance.lang = info.lang;
        window.speechSynthesis.speak(utterance);
      }
      return p;
    }

    // Kept to resume once something is answered; a chat opened but not answered starts afresh
    // (its first question comes with the survey, so opening it again needs no request).
    function remember() {
      try {
        if (token && turn && turn.turn > 0 && turn.kind !== "end") localStorage.setItem(storeKey, JSON.stringify({ t: token, at: Date.now() }));
        else localStorage.removeItem(storeKey);
      } catch (e) { /* storage blocked: the chat still works, it just cannot resume */ }
    }

    function remembered() {
      try {
        var saved = JSON.parse(localStorage.getItem(storeKey) || "null");
        return saved && Date.now() - saved.at < RESUME_MS ? saved.t : null;
      } catch (e) { return null; }
    }

    // Show the question and focus the first answer; when both do not fit, the answer wins.
    function present(question, first) {
      if (question) question.scrollIntoView({ block: "start" });
      if (first) first.focus(); else panel.scrollTop = panel.scrollHeight;
    }

    function show(data) {
      status.textContent = "";
      token = data.conversation || token;
      turn = data;
      var old = log.querySelector(".q");
      if (old) old.classList.remove("q");
      var helpFrom = data.help_shown ? data.messages.indexOf(data.help_start) : -1;
      var asking = data.prompt ? data.messages.lastIndexOf(data.prompt) : -1, question = null;
      data.messages.forEach(function (text, i) {
        var p = say(text, false, helpFrom >= 0 && i >= helpFrom && i < helpFrom + 4, i === asking);
        if (i === asking) question = p;
      });
      remember();
      answers.textContent = "";
      if (!question) answers.removeAttribute("aria-labelledby");
      if (data.kind === "end") {
        var done = el("button", { "class": "send", type: "button" }, t("Close the chat"));
        done.addEventListener("click", hide);
        answers.appendChild(done);
        present(null, done);
        return;
      }
      if (data.kind === "text") {
        var box = el("div", { "class": "text" });
        var label = el("label", { "for": "chat-text" }, t("Your answer (up to {n} letters)", data.max_length));
        var area = el("textarea", { id: "chat-text", maxlength: String(data.max_length), rows: "3" });
        var send = el("button", { "class": "send", type: "button" }, t("Send"));
        send.addEventListener("click", function () {
          var text = area.value.trim();
          if (!text) { status.textContent = ""; status.appendChild(el("p", {}, t("Please write something, or press Skip."))); area.focus(); return; }
          reply({ text: text }, text);
        });
        box.appendChild(label); box.appendChild(area); box.appendChild(send);
        answers.appendChild(box);
      }
      data.buttons.forEach(function (button) {
        var b = el("button", { "class": "answer", type: "button" });
        b.appendChild(el("img", { src: base + "/static/pictures/" + button.picture + ".svg", alt: "",
          width: "40", height: "40" }));
        b.appendChild(el("span", {}, button.label));
        b.addEventListener("click", function () {
          reply(button.code === "skip" ? { skip: true } : { choice: button.code }, button.label);
        });
        answers.appendChild(b);
      });
      present(question, answers.querySelector("textarea, button"));
    }

    function failed(error, again) {
      status.textContent = "";
      if (error.offline || error.status >= 500 || error.status === 429) {
        status.appendChild(el("p", {}, t("Sorry, we cannot send that just now. Your answers so far are kept.")));
        var retryButton = el("button", { "class": "small", type: "button" }, t("Try again"));
        retry = again;
        retryButton.addEventListener("click", function () { retry(); });
        status.appendChild(retryButton);
        retryButton.focus();
      } else if (error.error === "unknown_conversation") {
        token = null; remember(); log.textContent = ""; begin();
      } else {
        status.appendChild(el("p", {}, error.message || t("Something went wrong. Please try again.")));
      }
    }

    function reply(answer, shown) {
      var body = { turn: turn.turn };
      for (var key in answer) body[key] = answer[key];
      var send = function () {
        conversation().then(function () {
          return call("POST", "/conversations/" + token + "/answers", body);
        }).then(function (data) {
          say(shown, true); show(data);
        }, function (error) { if (!error.changed) failed(error, send); });
      };
      send();
    }

    function begin() {
      var saved = remembered();
      var go = saved ? function () {
        call("GET", "/conversations/" + saved).then(function (data) { token = saved; show(data); },
          function (error) { if (error.offline) failed(error, go); else { token = null; remember(); fresh(); } });
      } : fresh;
      go();
    }

    // The conversation is started behind the first question (sent with the survey), so the
    // question shows at once; the first answer waits for it. If the survey changed in between,
    // its new first question is shown instead and the answer is not sent.
    function conversation() {
      if (token) return Promise.resolve(token);
      if (!starting) starting = call("POST", "/conversations", { survey: survey, service: info.service, lang: info.lang })
        .then(function (data) {
          var shown = turn;
          token = data.conversation;
          if (!shown || shown.turn !== 0 || shown.question !== data.question) {
            log.textContent = ""; show(data);
            if (shown) throw { changed: true };
          }
          remember();
          return token;
        }, function (error) { starting = null; throw error; });
      return starting;
    }

    function fresh() {
      starting = null;
      if (info.first) { show(info.first); conversation().catch(function () { /* told when answering */ }); }
      else conversation().catch(function (error) { failed(error, fresh); });
    }

    // Modal (the page behind is inert) when full-screen; beside the page on a large screen.
    function place() {
      var full = small.matches;
      panel.classList.toggle("full", full);
      if (panel.open) panel.close();
      if (full && panel.showModal) panel.showModal(); else panel.show();
    }

    function open() {
      launcher.hidden = true; // the panel takes its place; Close brings it back
      place();
      if (!started) { started = true; begin(); }
      else present(log.querySelector(".q"), answers.querySelector("textarea, button") || close);
    }

    function hide(event, stay) {
      if (panel.open) panel.close();
      launcher.hidden = false;
      if (speak) window.speechSynthesis.cancel();
      if (turn && turn.kind === "end") { started = false; token = null; turn = null; starting = null; log.textContent = ""; answers.textContent = ""; }
      if (!stay) launcher.focus();
    }

    function replace() { // the screen turned or was zoomed: keep what has focus where it was
      if (!panel.open) return;
      var had = root.activeElement;
      place();
      if (had) had.focus();
    }

    // On a large screen the page stays usable: a link that takes focus behind the panel is
    // scrolled out from under it, or, if it cannot be, the panel steps aside (the chat is kept).
    function behind(target) {
      var r = target.getBoundingClientRect(), p = panel.getBoundingClientRect();
      return r.right > p.left && r.left < p.right && r.bottom > p.top && r.top < p.bottom ? r.bottom - p.top : 0;
    }
    function unhide(event) {
      if (!panel.open || panel.classList.contains("full") || event.target === host) return;
      if (behind(event.target)) window.scrollBy(0, behind(event.target) + 16);
      if (behind(event.target)) hide(null, true);
    }

    launcher.addEventListener("click", open);
    close.addEventListener("click", hide);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); hide(); }
    });
    panel.addEventListener("cancel", function (event) { event.preventDefault(); hide(); });
    document.addEventListener("focusin", unhide);
    if (small.addEventListener) small.addEventListener("change", replace);
    if (aloud) aloud.addEventListener("click", function () {
      var on = aloud.getAttribute("aria-pressed") !== "true";
      aloud.setAttribute("aria-pressed", String(on));
      if (!on) window.speechSynthesis.cancel();
    });
  }

  // A page that carries the survey (data-start, as the API would send it) needs no request.
  function ready(info) {
    if (document.body) build(info);
    else document.addEventListener("DOMContentLoaded", function () { build(info); });
  }
  var given = null;
  try { given = JSON.parse(script.getAttribute("data-start") || "null"); } catch (e) { given = null; }
  if (given && given.survey === survey && given.ui) ready(given);
  else call("GET", "/surveys/" + encodeURIComponent(survey) + "?service=" + encodeURIComponent(service))
    .then(ready, function (error) {
      warn(error.offline ? "the feedback service could not be reached." :
        (error.message || "the survey or service is not known.") + " (" + (error.error || error.status) + ")");
    });
})();
