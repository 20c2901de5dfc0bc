/* Visual segment builder: edits the JSON rule in #id_rule and keeps a live count. No dependencies. */
(function () {
  "use strict";
  var script = document.currentScript;
  var countUrl = script.getAttribute("data-count-url");
  var language = JSON.parse(document.getElementById("segment-language").textContent);
  var labels = JSON.parse(document.getElementById("builder-labels").textContent);
  var ruleField = document.getElementById("id_rule");
  var root = document.getElementById("builder");
  var output = document.getElementById("live-count");
  var errorList = document.getElementById("rule-errors");
  var attrs = {};
  language.attributes.forEach(function (a) { attrs[a.name] = a; });
  var timer = null;
  var seq = 0;

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) { node[k] = props[k]; });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  function parseValue(text, shape, attr) {
    text = text.trim();
    if (shape === "none") return undefined;
    if (shape === "list" || shape === "prefixes" || shape === "range") {
      var parts = text.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      return parts.map(function (p) { return scalar(p, attr); });
    }
    if (shape === "object") { try { return JSON.parse(text); } catch (e) { return text; } }
    return scalar(text, attr);
  }

  function scalar(text, attr) {
    var numeric = attr.kind === "number" || attr.kind === "integer";
    if (numeric || attr.kind === "special") { var n = Number(text); if (text !== "" && !isNaN(n)) return n; }
    if (attr.kind === "boolean") return text === "true";
    return text;
  }

  function word(table, code) {
    // People's words for a code (labels sent by the page), the code itself when none is known.
    return (language[table] && language[table][code]) || code;
  }

  function showValue(value) {
    if (value === undefined || value === null) return "";
    if (Array.isArray(value)) return value.join(", ");
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function condition(node) {
    var attrSelect = el("select", {className: "attr"});
    attrSelect.setAttribute("aria-label", labels.attr);
    var groups = {};
    language.attributes.forEach(function (a) {
      if (!groups[a.group]) {
        groups[a.group] = el("optgroup", {label: language.groups[a.group] || a.group});
        attrSelect.appendChild(groups[a.group]);
      }
      groups[a.group].appendChild(el("option", {value: a.name, textContent: word("labels", a.name)}));
    });
    attrSelect.value = node.attr || "kind";
    var opSelect = el("select", {className: "op"});
    opSelect.setAttribute("aria-label", labels.op);
    var valueInput = el("input", {className: "value", value: showValue(node.value)});
    valueInput.setAttribute("aria-label", labels.value);
    var extra = {};
    Object.keys(node).forEach(function (k) { if (["attr", "op", "value"].indexOf(k) < 0) extra[k] = node[k]; });
    var extraInput = el("input", {className: "extra", placeholder: '{"window": {"days": 365}}',
                                  value: Object.keys(extra).length ? JSON.stringify(extra) : ""});
    extraInput.setAttribute("aria-label", labels.extra);
    function fillOps() {
      var a = attrs[attrSelect.value];
      opSelect.innerHTML = "";
      Object.keys(a.operators).forEach(function (op) { opSelect.appendChild(el("option", {value: op, textContent: word("operator_labels", op)})); });
      if (node.op && a.operators[node.op]) opSelect.value = node.op;
      extraInput.hidden = a.qualifiers.length === 0;
      valueInput.setAttribute("list", "");
      valueInput.title = a.choices.map(function (c) { return c + " = " + word("choice_labels", c); }).join(", ");
    }
    fillOps();
    var row = el("div", {className: "condition"}, [attrSelect, opSelect, valueInput, extraInput]);
    row.toRule = function () {
      var a = attrs[attrSelect.value];
      var shape = a.operators[opSelect.value];
      var out = {attr: attrSelect.value, op: opSelect.value};
      var v = parseValue(valueInput.value, shape, a);
      if (v !== undefined) out.value = v;
      if (extraInput.value.trim()) {
        try { Object.assign(out, JSON.parse(extraInput.value)); } catch (e) { out._extra = extraInput.value; }
      }
      return out;
    };
    attrSelect.addEventListener("change", function () { node.op = null; fillOps(); changed(); });
    return row;
  }

  function group(node) {
    var logic = node.and ? "and" : node.or ? "or" : "not";
    var children = node.and || node.or || (node.not ? (node.not.and || [node.not]) : []);
    var logicSelect = el("select", {className: "logic"}, ["and", "or", "not"].map(function (k) {
      return el("option", {value: k, textContent: labels[k]});
    }));
    logicSelect.setAttribute("aria-label", labels.logic);
    logicSelect.value = logic;
    var list = el("div", {className: "children"});
    function add(child) {
      var item = child.attr ? condition(child) : group(child);
      var remove = el("button", {type: "button", textContent: labels.remove});
      remove.addEventListener("click", function () { list.removeChild(wrapper); changed(); });
      var wrapper = el("div", {className: "item"}, [item, remove]);
      wrapper.toRule = item.toRule;
      list.appendChild(wrapper);
    }
    children.forEach(add);
    var addCond = el("button", {type: "button", textContent: labels.add});
    addCond.addEventListener("click", function () { add({attr: "kind", op: "eq", value: "person"}); changed(); });
    var addGroup = el("button", {type: "button", textContent: labels.group});
    addGroup.addEventListener("click", function () { add({and: [{attr: "kind", op: "eq", value: "person"}]}); changed(); });
    var box = el("div", {className: "group"}, [logicSelect, list, addCond, addGroup]);
    box.toRule = function () {
      var items = Array.prototype.map.call(list.children, function (c) { return c.toRule(); });
      var key = logicSelect.value;
      if (key === "not") return {not: items.length === 1 ? items[0] : {and: items}};
      var out = {}; out[key] = items; return out;
    };
    return box;
  }

  function changed() {
    var rule = top.toRule();
    ruleField.value = JSON.stringify(rule);
    clearTimeout(timer);
    timer = setTimeout(function () { count(rule); }, 400);
  }

  function csrf() {
    var input = document.querySelector("#segment-form input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function count(rule) {
    var mine = ++seq;
    output.textContent = output.getAttribute("data-wait");
    fetch(countUrl, {method: "POST", credentials: "same-origin",
                     headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
                     body: JSON.stringify({rule: rule})})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== seq) return;  // an older answer arriving late
        errorList.innerHTML = "";
        if (data.errors) {
          output.textContent = "";
          data.errors.forEach(function (e) { errorList.appendChild(el("li", {textContent: e.field + ": " + e.message})); });
        } else {
          output.textContent = new Intl.NumberFormat(document.documentElement.lang || undefined).format(data.count) + " " + output.getAttribute("data-label");
        }
      })
      .catch(function () { output.textContent = ""; });
  }

  var initial;
  try { initial = JSON.parse(ruleField.value); } catch (e) { initial = {and: []}; }
  if (initial && initial.attr) initial = {and: [initial]};
  if (!initial || !(initial.and || initial.or || initial.not)) initial = {and: []};
  var top = group(initial);
  root.appendChild(top);
  root.addEventListener("change", changed);
  root.addEventListener("input", changed);
  ruleField.addEventListener("change", function () {
    try { var r = JSON.parse(ruleField.value); root.innerHTML = ""; top = group(r.attr ? {and: [r]} : r); root.appendChild(top); count(r); } catch (e) { /* keep editing */ }
  });
  count(initial);
})();
