/* SEND feedback chat widget: one short question at a time, easy read, big buttons.
   Embed: <script src="https://HOST/chat/widget.js" data-survey="..." data-service="..." async></script>
   No framework, no cookies; everything lives in a shadow root so the host page's CSS cannot reach it. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var survey = script.getAttribute("data-survey") || "";
  var service = script.getAttribute("data-service") || "";
  var base = new URL(script.src, window.location.href).origin;
  var api = base + "/chat/api/v1";
  var storeKey = "send-feedback-chat:" + survey + ":" + service;
  var RESUME_MS = 55 * 60 * 1000;
  var TIMEOUT_MS = 10000;

  function warn(why) {
    window.console && console.warn("SEND feedback chat not shown: " + why);
  }
  if (!survey) { warn("the script tag has no data-survey."); return; }

  function call(method, path, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
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

  call("GET", "/surveys/" + encodeURIComponent(survey) + "?service=" + encodeURIComponent(service))
    .then(build, function (error) {
      warn(error.offline ? "the feedback service could not be reached." :
        (error.message || "the survey or service is not known.") + " (" + (error.error || error.status) + ")");
    });

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box}",
    ".w{font-family:Arial,Helvetica,sans-serif;font-size:max(18px,1.125rem);line-height:1.4;color:#0b0c0c}",
    ".launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;font:inherit;font-weight:bold;",
    "background:#1d70b8;color:#fff;border:3px solid #0b0c0c;border-radius:32px;padding:12px 20px;cursor:pointer;min-height:56px}",
    ".launcher:hover{background:#003078}",
    "button:focus-visible,textarea:focus-visible{outline:4px solid #fd0;outline-offset:0;box-shadow:0 0 0 7px #0b0c0c}",
    ".panel{position:fixed;right:8px;bottom:84px;z-index:2147483001;width:min(420px,calc(100vw - 16px));",
    "max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;border:3px solid #0b0c0c;border-radius:8px}",
    ".panel[hidden]{display:none}",
    ".head{display:flex;gap:6px;align-items:center;padding:8px 10px;border-bottom:2px solid #0b0c0c;background:#f3f2f1}",
    ".head h2{flex:1 1 0;min-width:0;margin:0;font-size:1em}",
    ".small{font:inherit;font-size:.85em;background:#fff;color:#0b0c0c;border:2px solid #0b0c0c;border-radius:4px;padding:4px 8px;cursor:pointer;min-height:44px}",
    ".small[aria-pressed=true]{background:#0b0c0c;color:#fff}",
    ".log{flex:1 1 auto;overflow-y:auto;padding:10px;min-height:140px}",
    ".msg{margin:0 0 8px;padding:8px 12px;border-radius:12px;max-width:90%;background:#f3f2f1;overflow-wrap:anywhere}",
    ".me{margin-left:auto;background:#1d70b8;color:#fff}",
    ".help{background:#fff7bf;border:2px solid #594d00;font-weight:bold}",
    ".answers{padding:8px;border-top:2px solid #b1b4b6;display:grid;grid-template-columns:repeat(auto-fill,minmax(110px,1fr));gap:6px;max-height:42vh;overflow-y:auto}",
    ".answer{font:inherit;display:flex;flex-direction:column;align-items:center;gap:2px;padding:6px;min-height:76px;",
    "background:#fff;color:#0b0c0c;border:2px solid #0b0c0c;border-radius:8px;cursor:pointer}",
    ".answer:hover{background:#f3f2f1}",
    ".answer img{width:40px;height:40px}",
    ".text{grid-column:1/-1;display:flex;flex-direction:column;gap:8px}",
    "textarea{font:inherit;width:100%;min-height:4.5em;padding:6px;border:2px solid #0b0c0c}",
    ".answers>.send{grid-column:1/-1}",
    ".send{font:inherit;font-weight:bold;background:#00703c;color:#fff;border:2px solid #0b0c0c;padding:8px 16px;min-height:48px;cursor:pointer}",
    ".status{padding:0 10px}",
    ".status p{margin:8px 0;color:#942514;font-weight:bold}",
    ".hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important;scroll-behavior:auto!important}}",
    "@media (forced-colors:active){.launcher,.answer,.send,.small{border:2px solid ButtonText}}"
  ].join("");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var key in attrs) if (attrs[key] !== null) node.setAttribute(key, attrs[key]);
    if (text) node.textContent = text;
    return node;
  }

  function build(info) {
    var host = el("div", { "data-send-feedback-chat": "" });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    // A constructed stylesheet is not inline style, so strict host CSPs still let it apply.
    var sheet = null;
    try { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); } catch (e) { sheet = null; }
    var wrap = el("div", { "class": "w" });
    var launcher = el("button", { "class": "launcher", type: "button", "aria-expanded": "false",
      "aria-controls": "chat-panel" }, "Tell us what you think");
    var panel = el("section", { "class": "panel", id: "chat-panel", role: "dialog",
      "aria-labelledby": "chat-title", hidden: "" });
    var head = el("div", { "class": "head" });
    var title = el("h2", { id: "chat-title" }, "Tell us what you think");
    var speak = "speechSynthesis" in window;
    var aloud = speak ? el("button", { "class": "small", type: "button", "aria-pressed": "false" }, "Read aloud") : null;
    var close = el("button", { "class": "small", type: "button" }, "Close");
    var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" });
    var answers = el("div", { "class": "answers", role: "group", "aria-label": "Your answer" });
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

    var token = null, turn = null, retry = null, started = false;

    function say(text, mine, help) {
      log.appendChild(el("p", { "class": "msg" + (mine ? " me" : "") + (help ? " help" : "") },
        (mine ? "You: " : "") + text));
      log.scrollTop = log.scrollHeight;
      if (!mine && aloud && aloud.getAttribute("aria-pressed") === "true") {
        window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
      }
    }

    function remember() {
      try {
        if (token && turn && turn.kind !== "end") localStorage.setItem(storeKey, JSON.stringify({ t: token, at: Date.now() }));
        else localStorage.removeItem(storeKey);
      } catch (e) { /* storage blocked: the chat still works, it just cannot resume */ }
    }

    function remembered() {
      try {
        var saved = JSON.parse(localStorage.getItem(storeKey) || "null");
        return saved && Date.now() - saved.at < RESUME_MS ? saved.t : null;
      } catch (e) { return null; }
    }

    function show(data) {
      status.textContent = "";
      token = data.conversation || token;
      turn = data;
      var helpFrom = data.help_shown ? data.messages.indexOf("If you are in danger now, call 999.") : -1;
      data.messages.forEach(function (text, i) { say(text, false, helpFrom >= 0 && i >= helpFrom && i < helpFrom + 4); });
      remember();
      answers.textContent = "";
      if (data.kind === "end") {
        var done = el("button", { "class": "send", type: "button" }, "Close the chat");
        done.addEventListener("click", hide);
        answers.appendChild(done);
        done.focus();
        return;
      }
      if (data.kind === "text") {
        var box = el("div", { "class": "text" });
        var label = el("label", { "for": "chat-text" }, "Your answer (up to " + data.max_length + " letters)");
        var area = el("textarea", { id: "chat-text", maxlength: String(data.max_length), rows: "3" });
        var send = el("button", { "class": "send", type: "button" }, "Send");
        send.addEventListener("click", function () {
          var text = area.value.trim();
          if (!text) { status.textContent = ""; status.appendChild(el("p", {}, "Please write something, or press Skip.")); area.focus(); return; }
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
      var first = answers.querySelector("textarea, button");
      if (first) first.focus();
      log.scrollTop = log.scrollHeight; // the answers are laid out now: show the question
    }

    function failed(error, again) {
      status.textContent = "";
      if (error.offline || error.status >= 500 || error.status === 429) {
        status.appendChild(el("p", {}, "Sorry, we cannot send that just now. Your answers so far are kept."));
        var retryButton = el("button", { "class": "small", type: "button" }, "Try again");
        retry = again;
        retryButton.addEventListener("click", function () { retry(); });
        status.appendChild(retryButton);
        retryButton.focus();
      } else if (error.error === "unknown_conversation") {
        token = null; remember(); log.textContent = ""; begin();
      } else {
        status.appendChild(el("p", {}, error.message || "Something went wrong. Please try again."));
      }
    }

    function reply(answer, shown) {
      var body = { turn: turn.turn };
      for (var key in answer) body[key] = answer[key];
      var send = function () {
        call("POST", "/conversations/" + token + "/answers", body).then(function (data) {
          say(shown, true); show(data);
        }, function (error) { failed(error, send); });
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

    function fresh() {
      call("POST", "/conversations", { survey: survey, service: info.service }).then(show,
        function (error) { failed(error, fresh); });
    }

    function open() {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      if (!started) { started = true; begin(); }
      else { var first = answers.querySelector("textarea, button"); (first || close).focus(); }
    }

    function hide() {
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      if (speak) window.speechSynthesis.cancel();
      if (turn && turn.kind === "end") { started = false; token = null; turn = null; log.textContent = ""; answers.textContent = ""; }
      launcher.focus();
    }

    launcher.addEventListener("click", function () { panel.hidden ? open() : hide(); });
    close.addEventListener("click", hide);
    panel.addEventListener("keydown", function (event) { if (event.key === "Escape") hide(); });
    if (aloud) aloud.addEventListener("click", function () {
      var on = aloud.getAttribute("aria-pressed") !== "true";
      aloud.setAttribute("aria-pressed", String(on));
      if (!on) window.speechSynthesis.cancel();
    });
  }
})();
