/* The web chat on another page: a round button that opens the chat in an iframe.
   Usage: <script src="https://CHAT-HOST/webchat/embed.js" async></script> */
(function () {
  "use strict";
  if (window.__energobotChat) return;
  window.__energobotChat = true;
  var TEXTS = {{ texts | tojson }};
  var script = document.currentScript;
  var origin = new URL(script ? script.src : "/", window.location.href).origin;
  var frame = null;
  var open = false;

  function style(el, props) {
    for (var key in props) el.style[key] = props[key];
  }

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = TEXTS.open;
  button.setAttribute("aria-expanded", "false");
  style(button, {
    position: "fixed", right: "20px", bottom: "20px", zIndex: "2147483000",
    padding: "14px 20px", border: "0", borderRadius: "999px", cursor: "pointer",
    background: "#0b63ce", color: "#fff", font: "600 15px/1.2 system-ui, sans-serif",
    boxShadow: "0 6px 20px rgba(11, 40, 80, .3)"
  });

  function place() {
    if (!frame) return;
    var narrow = window.innerWidth < 600;
    style(frame, narrow
      ? { right: "0", bottom: "0", width: "100%", height: "100%", borderRadius: "0" }
      : { right: "20px", bottom: "84px", width: "380px", height: "min(640px, calc(100vh - 110px))",
          borderRadius: "16px" });
  }

  function toggle(show) {
    open = show;
    if (show && !frame) {
      frame = document.createElement("iframe");
      frame.src = origin + "/?embed=1";
      frame.title = TEXTS.title;
      style(frame, {
        position: "fixed", zIndex: "2147483001", border: "0", background: "#fff",
        boxShadow: "0 12px 40px rgba(11, 40, 80, .28)"
      });
      document.body.appendChild(frame);
    }
    if (frame) {
      place();
      frame.style.display = show ? "block" : "none";
    }
    button.setAttribute("aria-expanded", show ? "true" : "false");
  }

  button.addEventListener("click", function () { toggle(!open); });
  window.addEventListener("resize", place);
  window.addEventListener("message", function (event) {
    if (event.origin === origin && event.data && event.data.type === "energobot-chat-close") {
      toggle(false);
      button.focus();
    }
  });

  function attach() { document.body.appendChild(button); }
  if (document.body) attach(); else document.addEventListener("DOMContentLoaded", attach);
})();
