// The console's few behaviours: live refresh over server-sent events, waiting times that
// tick, canned answers that fill the reply box, local times. Pages work without it.
(function () {
  "use strict";

  function waited(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 60) return seconds + " s";
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + " min";
    var hours = Math.floor(minutes / 60);
    minutes = minutes % 60;
    if (hours < 48) return hours + " h " + (minutes < 10 ? "0" : "") + minutes + " min";
    return Math.floor(hours / 24) + " d";
  }

  function tick() {
    document.querySelectorAll(".wait[data-since]").forEach(function (el) {
      var since = Date.parse(el.dataset.since);
      if (!isNaN(since)) el.textContent = waited((Date.now() - since) / 1000);
    });
  }

  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var at = new Date(el.getAttribute("datetime"));
      if (!isNaN(at)) {
        el.title = el.textContent;
        el.textContent = at.toLocaleString([], { dateStyle: "short", timeStyle: "short" });
      }
    });
  }

  function live() {
    var box = document.getElementById("live");
    var state = document.getElementById("live-state");
    if (!box || !box.dataset.live || !window.EventSource) return;
    var loading = false, again = false, delay = 1000, source = null;

    function refresh() {
      if (loading) { again = true; return; }
      loading = true;
      fetch(box.dataset.live, { headers: { "X-Requested-With": "console" }, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 401) { window.location.reload(); return null; }
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html !== null && html !== undefined) {
            box.innerHTML = html;
            localTimes(box);
            tick();
          }
        })
        .catch(function () {})
        .then(function () {
          loading = false;
          if (again) { again = false; refresh(); }
        });
    }

    function connect() {
      source = new EventSource("/console/events");
      source.addEventListener("hello", function () {
        delay = 1000;
        if (state) { state.textContent = "Updates live."; state.classList.remove("off"); }
        refresh();  // whatever changed while we were away
      });
      source.addEventListener("changed", refresh);
      source.addEventListener("tick", refresh);
      source.addEventListener("signout", function () { window.location.reload(); });
      source.onerror = function () {
        if (state) { state.textContent = "Reconnecting…"; state.classList.add("off"); }
        if (source.readyState === EventSource.CLOSED) {
          // The browser gave up (the server answered with an error): try again later,
          // and find out whether the session ended.
          refresh();
          setTimeout(connect, delay);
          delay = Math.min(delay * 2, 30000);
        }
      };
    }

    connect();
  }

  function canned() {
    document.querySelectorAll("select[data-fill]").forEach(function (select) {
      select.addEventListener("change", function () {
        var target = document.getElementById(select.dataset.fill);
        if (target && select.value) {
          target.value = select.value;
          target.focus();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    canned();
    live();
    tick();
    setInterval(tick, 15000);
  });
})();
