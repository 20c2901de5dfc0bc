/* Search as you type: while the user types into an input marked data-live-search, fetch the
   server-rendered result list (?q=…&fragment=1) and put it into the element it names.
   Debounced so a fast typist sends one request, and each new request cancels the one before,
   so an old answer never overwrites a newer one.  Without script the form still submits. */
(function () {
  "use strict";
  var inputs = document.querySelectorAll("[data-live-search]");
  Array.prototype.forEach.call(inputs, function (input) {
    var target = document.getElementById(input.getAttribute("data-live-search"));
    var url = input.getAttribute("data-live-url");
    var timer = null, controller = null, last = input.value.trim();
    if (!target || !url) { return; }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var query = input.value.trim();
        if (query === last) { return; }
        last = query;
        if (controller) { controller.abort(); }
        if (!query) { target.innerHTML = ""; return; }
        controller = new AbortController();
        fetch(url + "?fragment=1&q=" + encodeURIComponent(query), {
          signal: controller.signal, credentials: "same-origin", headers: {"X-Requested-With": "fetch"}
        }).then(function (response) {
          if (response.redirected) { window.location.assign(response.url); throw new Error("signed out"); }
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        }).then(function (html) {
          target.innerHTML = html;
          target.setAttribute("data-query", query);
        }).catch(function () { /* aborted or offline: the next keystroke or Enter tries again */ });
      }, 150);
    });
  });
}());
