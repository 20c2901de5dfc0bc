// The board's drag and drop: dropping a card on a column submits that card's own "Move" form with the
// column's stage chosen, so the mouse, the keyboard (select + button) and a page without JavaScript all use
// the same request.
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  if (!board) { return; }
  var dragged = null;

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".deal-card");
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-deal-id"));
  });
  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    board.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  board.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!column || !dragged) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".drop-target").forEach(function (c) {
      if (c !== column) { c.classList.remove("drop-target"); }
    });
    column.classList.add("drop-target");
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!column || !dragged) { return; }
    event.preventDefault();
    var form = dragged.querySelector(".move-form");
    var select = form && form.querySelector("select[name=stage_id]");
    var stage = column.getAttribute("data-stage-id");
    if (!select || select.value === stage) { return; }
    select.value = stage;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
}());
