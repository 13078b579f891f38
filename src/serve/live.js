// aimsc serve: live reload. Served as a same-origin file (never inline) so
// that it runs under a Content-Security-Policy of `script-src 'self'`.
// While the page is visible it long-polls /__aimsc/events with the build
// version the page was served at, and reloads when that version changes
// (after a good build, and after a failed one, whose page shows the
// overlay). Hidden tabs hold no request: browsers allow only a few open
// connections per host, and many idle tabs would starve page loads.
(function () {
  "use strict";
  var me = document.currentScript;
  var version = me ? me.getAttribute("data-aimsc-version") : "0";
  var pending = null;
  var delay = 500;

  function poll() {
    if (pending || document.visibilityState === "hidden") return;
    // One token per request, so that a request aborted by hiding the tab
    // cannot disturb the one started when it shows again.
    var mine = { ctl: typeof AbortController === "function" ? new AbortController() : null };
    pending = mine;
    fetch("/__aimsc/events?since=" + encodeURIComponent(version), {
      cache: "no-store",
      signal: mine.ctl ? mine.ctl.signal : undefined
    })
      .then(function (r) {
        if (!r.ok) throw new Error("status " + r.status);
        return r.json();
      })
      .then(function (e) {
        if (pending !== mine) return;
        pending = null;
        delay = 500;
        if (String(e.version) !== version) {
          location.reload();
        } else {
          poll();
        }
      })
      .catch(function () {
        if (pending !== mine) return;
        pending = null;
        // The server is restarting or gone: try again, less and less often.
        setTimeout(poll, delay);
        delay = Math.min(delay * 2, 5000);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      var old = pending;
      pending = null;
      if (old && old.ctl) old.ctl.abort();
    } else {
      poll();
    }
  });

  var close = document.getElementById("aimsc-overlay-close");
  if (close) {
    close.addEventListener("click", function () {
      var overlay = document.getElementById("aimsc-overlay");
      if (overlay) overlay.hidden = true;
    });
  }
  poll();
})();
