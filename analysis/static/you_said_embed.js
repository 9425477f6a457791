/* "You said, we did" block for a Local Offer page.
   Embed: <script src="https://HOST/you-said-we-did/embed.js" data-service="salt" data-easy="1" async></script>
   No cookies, no framework: it reads the public JSON feed and writes plain text into a shadow
   root (textContent only, so nothing in the feed can run as markup). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var service = script.getAttribute("data-service") || "";
  var easy = script.getAttribute("data-easy") === "1";
  var limit = parseInt(script.getAttribute("data-limit") || "3", 10) || 3;
  var base = new URL(script.src, window.location.href).origin;
  var feed = base + "/you-said-we-did.json" + (service ? "?service=" + encodeURIComponent(service) : "");
  var page = base + "/you-said-we-did" + (easy ? "/easy-read" : "") + (service ? "?service=" + encodeURIComponent(service) : "");
  var host = document.createElement("section");
  host.setAttribute("aria-label", "You said, we did");
  script.parentNode.insertBefore(host, script);
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;

  function add(parent, tag, text, css) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (css) node.setAttribute("style", css);
    parent.appendChild(node);
    return node;
  }
  fetch(feed, { credentials: "omit" }).then(function (r) { return r.json(); }).then(function (data) {
    var box = add(root, "div", "", "font: " + (easy ? "1.4rem/1.5" : "1rem/1.5") + " system-ui, sans-serif; border-left: 6px solid #1d70b8; padding: 8px 16px; color: #0b0c0c; background: #fff;");
    add(box, "h2", "You said, we did", "font-size: 1.4em; margin: 0 0 8px;");
    var actions = (data.actions || []).slice(0, limit);
    if (!actions.length) add(box, "p", "No changes have been published yet.");
    actions.forEach(function (a) {
      var item = add(box, "div", "", "margin: 0 0 12px;");
      add(item, "p", (easy ? a.easy_you_said : "You said (" + a.comments_behind + " comments): " + a.you_said), "margin: 0;");
      add(item, "p", (easy ? a.easy_we_did : "We did: " + a.we_did), "margin: 0; font-weight: bold;");
    });
    var link = add(box, "a", easy ? "See everything we changed" : "See every change we made");
    link.href = page;
    link.setAttribute("style", "color: #1d70b8;");
  }).catch(function () {
    window.console && console.warn("You said, we did: the feedback service could not be reached.");
  });
})();
