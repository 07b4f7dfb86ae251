// bimcheck HTML report: row filter, expand/collapse, and plan <-> table selection.
// One listener per kind of event on the document (no per-row handlers), so that a report with
// tens of thousands of rows stays responsive. Text is only ever set with textContent.
(function () {
  "use strict";
  var doc = document;
  var filter = doc.getElementById("filter");
  var status = doc.getElementById("filter-status");
  var info = doc.getElementById("info");
  var infoText = doc.getElementById("info-text");
  var rows = Array.prototype.slice.call(doc.querySelectorAll("tbody.el"));
  var sections = Array.prototype.slice.call(doc.querySelectorAll("details.req"));
  var rowSection = rows.map(function (row) { return row.closest("details.req"); });
  var index = {}; // model section id -> GlobalId -> {shapes: [], rows: []}
  var current = null;
  var timer = null;

  function scopeOf(node) {
    var section = node.closest("section.model");
    return section ? section.id : "";
  }
  function entry(scope, gid) {
    var byGid = index[scope] || (index[scope] = {});
    return byGid[gid] || (byGid[gid] = { shapes: [], rows: [] });
  }
  doc.querySelectorAll("svg.plan .s[data-gid]").forEach(function (shape) {
    entry(scopeOf(shape), shape.getAttribute("data-gid")).shapes.push(shape);
  });
  rows.forEach(function (row) {
    var gid = row.getAttribute("data-gid");
    if (gid) { entry(scopeOf(row), gid).rows.push(row); }
  });
  sections.forEach(function (s) { s.setAttribute("data-open", s.open ? "1" : "0"); });

  function applyFilter() {
    var terms = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    var perSection = new Map();
    rows.forEach(function (row, i) {
      var text = row.getAttribute("data-s");
      var ok = terms.every(function (t) { return text.indexOf(t) !== -1; });
      row.hidden = !ok;
      if (ok) {
        shown += 1;
        perSection.set(rowSection[i], (perSection.get(rowSection[i]) || 0) + 1);
      }
    });
    sections.forEach(function (sec) {
      var count = sec.querySelector(".fcount");
      if (!terms.length) {
        sec.open = sec.getAttribute("data-open") === "1";
        if (count) { count.textContent = ""; }
        return;
      }
      var n = perSection.get(sec) || 0;
      sec.open = n > 0;
      if (count) { count.textContent = "(" + n + " " + status.getAttribute("data-matches") + ")"; }
    });
    status.textContent = terms.length ? shown + " / " + rows.length + " " + status.getAttribute("data-matches") : "";
  }
  filter.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(applyFilter, 120);
  });
  doc.getElementById("filter-clear").addEventListener("click", function () {
    filter.value = "";
    applyFilter();
  });
  function setAll(open) {
    sections.forEach(function (s) { s.open = open; });
    doc.querySelectorAll("details.plan").forEach(function (p) { p.open = open; });
  }
  doc.getElementById("expand-all").addEventListener("click", function () { setAll(true); });
  doc.getElementById("collapse-all").addEventListener("click", function () { setAll(false); });
  window.addEventListener("beforeprint", function () { setAll(true); });

  function clearSelection() {
    doc.querySelectorAll(".sel").forEach(function (n) { n.classList.remove("sel"); });
  }
  function select(scope, gid, fromPlan, fallback) {
    var found = (index[scope] || {})[gid] || { shapes: [], rows: [] };
    clearSelection();
    found.shapes.forEach(function (s) { s.classList.add("sel"); });
    found.rows.forEach(function (r) { r.classList.add("sel"); });
    current = { scope: scope, gid: gid, found: found };
    var title = found.shapes.length ? found.shapes[0].querySelector("title") : null;
    infoText.textContent = title ? title.textContent : fallback + "\n" + info.getAttribute("data-not-on-plan");
    doc.getElementById("info-plan").hidden = fromPlan || !found.shapes.length;
    info.hidden = false;
    if (!fromPlan && found.shapes.length) { showOnPlan(); }
  }
  function showOnPlan() {
    if (!current || !current.found.shapes.length) { return; }
    var shape = current.found.shapes[0];
    var plan = shape.closest("details.plan");
    if (plan) { plan.open = true; }
    shape.scrollIntoView({ block: "center", inline: "nearest" });
  }
  doc.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || target.closest("#info, a, button, input, summary")) { return; }
    var shape = target.closest("svg.plan .s[data-gid]");
    if (shape) {
      select(scopeOf(shape), shape.getAttribute("data-gid"), true, "");
      return;
    }
    var row = target.closest("tbody.el[data-gid]");
    if (row) {
      select(scopeOf(row), row.getAttribute("data-gid"), false, row.getAttribute("data-label"));
    }
  });
  doc.getElementById("info-close").addEventListener("click", function () {
    info.hidden = true;
    clearSelection();
    current = null;
  });
  doc.getElementById("info-plan").addEventListener("click", showOnPlan);
  doc.getElementById("info-tables").addEventListener("click", function () {
    if (!current) { return; }
    filter.value = current.gid;
    applyFilter();
    if (current.found.rows.length) {
      current.found.rows[0].scrollIntoView({ block: "center" });
    }
  });
})();
