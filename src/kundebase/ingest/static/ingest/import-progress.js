// Polls an import's progress and updates the figures on its page (a file of its own: the CSP allows no inline script).
(function () {
  const url = document.currentScript.dataset.progressUrl;
  const shown = document.currentScript.dataset.status;
  const lang = document.documentElement.lang || undefined;
  const number = new Intl.NumberFormat(lang, {maximumFractionDigits: 0});
  function duration(seconds) {
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = Math.round(seconds % 60);
    return h ? h + " h " + m + " min" : m ? m + " min " + s + " s" : s + " s";
  }
  function poll() {
    fetch(url, {credentials: "same-origin"}).then(r => r.json()).then(p => {
      document.getElementById("bar").value = p.progress;
      document.getElementById("done").textContent = number.format(p.rows_done);
      for (const k of ["created", "updated", "unchanged", "review", "errors", "quarantined"]) {
        document.getElementById(k).textContent = number.format(p[k]);
      }
      document.getElementById("status").textContent = p.status_label;
      document.getElementById("phase").textContent = p.phase_label;
      const speed = document.getElementById("speed");
      const parts = [];
      if (p.rows_per_second !== null) {
        parts.push(speed.dataset.rowsPerSecond.replace("{rate}", number.format(p.rows_per_second)));
      }
      if (p.seconds_left !== null) {
        parts.push(speed.dataset.secondsLeft.replace("{time}", duration(p.seconds_left)));
      }
      speed.textContent = parts.length ? " · " + parts.join(" · ") : "";
      const pause = document.getElementById("pause-form");
      if (pause && p.status !== "running" && p.status !== "pending") { pause.hidden = true; }
      if (p.status === "running" || p.status === "pending") { setTimeout(poll, 1000); }
      else if (p.status !== shown) { window.location.reload(); }  // paused, done or failed: its buttons change
    }).catch(() => setTimeout(poll, 3000));
  }
  poll();
})();
