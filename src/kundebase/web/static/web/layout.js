/* Layout for every page, loaded in <head> before the body is drawn (the page works without it):
   - marks <html class="js"> so the phone header starts collapsed behind the menu button instead of
     jumping shut after it was drawn open;
   - the menu button opens and closes the menu (aria-expanded says which), Escape closes it;
   - one menu group open at a time; Escape or a click elsewhere closes it and gives the focus back;
   - every wide table scrolls inside its own box: tables are wrapped, and a box that really scrolls
     becomes a named, focusable region so keyboard users can scroll it too. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  function closeGroups(except) {
    Array.prototype.forEach.call(document.querySelectorAll("details.menu-group[open], details.user-menu[open]"),
      function (group) { if (group !== except) { group.open = false; } });
  }

  function tableLabel(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var node = wrap;
    while (node && node !== document.body) {
      var sibling = node.previousElementSibling;
      while (sibling) {
        if (/^H[1-6]$/.test(sibling.tagName)) { return sibling.textContent.trim(); }
        var inner = sibling.querySelectorAll ? sibling.querySelectorAll("h1, h2, h3, h4") : [];
        if (inner.length) { return inner[inner.length - 1].textContent.trim(); }
        sibling = sibling.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }

  function fitTables() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
      if (table.parentElement.classList.contains("table-wrap")) { return; }
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", tableLabel(wrap));
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  function start() {
    var header = document.querySelector(".site-header");
    var button = document.querySelector(".menu-button");
    if (header && button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", open ? "true" : "false");
        header.classList.toggle("menu-open", open);
      });
    }
    Array.prototype.forEach.call(document.querySelectorAll("details.menu-group, details.user-menu"), function (group) {
      group.addEventListener("toggle", function () { if (group.open) { closeGroups(group); } });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var open = document.querySelector("details.menu-group[open], details.user-menu[open]");
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
      } else if (button && button.getAttribute("aria-expanded") === "true") {
        button.click();
        button.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest || !event.target.closest("details.menu-group, details.user-menu")) { closeGroups(null); }
    });
    fitTables();
    var timer = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fitTables, 100);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
