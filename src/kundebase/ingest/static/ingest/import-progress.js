// Polls an import's progress and updates the figures on its page (a file of its own: the CSP allows no inline script).
(function () {
  const url = document.currentScript.dataset.progressUrl;
  function poll() {
    fetch(url, {credentials: "same-origin"}).then(r => r.json()).then(p => {
      document.getElementById("bar").value = p.progress;
      document.getElementById("done").textContent = p.rows_done;
      for (const k of ["created", "updated", "unchanged", "review", "errors", "quarantined"]) {
        document.getElementById(k).textContent = p[k];
      }
      document.getElementById("status").textContent = p.status;
      if (p.status === "running" || p.status === "pending") { setTimeout(poll, 1000); }
    }).catch(() => setTimeout(poll, 3000));
  }
  poll();
})();
