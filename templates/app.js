// aimsc portal: small progressive enhancements. Every page works without
// this script; it adds the SoA filter, sortable registers and search.
// It never inserts HTML strings: text goes in through textContent.
(function () {
  "use strict";

  function soaFilter() {
    var box = document.getElementById("soa-filter");
    var table = document.querySelector("table.soa");
    if (!box || !table) return;
    box.hidden = false;
    var status = document.getElementById("soa-filter-status");
    function apply(value) {
      var shown = 0;
      table.querySelectorAll("tbody").forEach(function (group) {
        var visible = 0;
        group.querySelectorAll("tr[data-state]").forEach(function (row) {
          var on = value === "all" || row.getAttribute("data-state") === value;
          row.hidden = !on;
          if (on) visible++;
        });
        group.hidden = visible === 0;
        shown += visible;
      });
      if (status) status.textContent = value === "all" ? "" : "Showing " + shown + " controls.";
    }
    box.querySelectorAll("input[name=soa-state]").forEach(function (input) {
      input.addEventListener("change", function () { apply(input.value); });
    });
  }

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return (cell.getAttribute("data-value") || cell.textContent || "").trim().toLowerCase();
  }

  function sortable() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var heads = table.tHead ? table.tHead.rows[0].cells : [];
      Array.prototype.forEach.call(heads, function (th, index) {
        if (!th.hasAttribute("data-sort")) return;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort";
        button.textContent = th.textContent;
        th.textContent = "";
        th.appendChild(button);
        th.setAttribute("aria-sort", "none");
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          Array.prototype.forEach.call(heads, function (other) {
            if (other.hasAttribute("aria-sort")) other.setAttribute("aria-sort", "none");
          });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = cellValue(a, index), y = cellValue(b, index);
            var c = x.localeCompare(y, undefined, { numeric: true });
            return ascending ? c : -c;
          });
          rows.forEach(function (row) { body.appendChild(row); });
        });
      });
    });
  }

  function search() {
    var form = document.getElementById("search-form");
    var input = document.getElementById("search-q");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!form || !input || !list) return;
    var index = window.AIMSC_SEARCH || [];
    var prepared = index.map(function (e) {
      return {
        entry: e,
        head: (e.i + " " + e.t).toLowerCase(),
        rest: (e.s + " " + e.k + " " + e.x).toLowerCase()
      };
    });
    function run(query) {
      var terms = query.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
      while (list.firstChild) list.removeChild(list.firstChild);
      if (terms.length === 0) {
        status.textContent = index.length + " documents and requirements can be searched.";
        return;
      }
      var hits = [];
      prepared.forEach(function (p) {
        var score = 0;
        for (var i = 0; i < terms.length; i++) {
          var t = terms[i];
          if (p.head.indexOf(t) >= 0) score += 10;
          else if (p.rest.indexOf(t) >= 0) score += 1;
          else return;
        }
        hits.push({ p: p, score: score });
      });
      hits.sort(function (a, b) { return b.score - a.score; });
      status.textContent = hits.length === 1 ? "1 result." : hits.length + " results.";
      hits.slice(0, 200).forEach(function (h) {
        var e = h.p.entry;
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = e.u;
        a.textContent = e.i + " " + e.t;
        li.appendChild(a);
        var kind = document.createElement("span");
        kind.className = "badge kind";
        kind.textContent = e.k;
        li.appendChild(document.createTextNode(" "));
        li.appendChild(kind);
        if (e.s) {
          var s = document.createElement("p");
          s.className = "small muted";
          s.textContent = e.s;
          li.appendChild(s);
        }
        list.appendChild(li);
      });
    }
    var q = new URLSearchParams(window.location.search).get("q") || "";
    input.value = q;
    run(q);
    input.addEventListener("input", function () { run(input.value); });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      run(input.value);
    });
  }

  function ready() {
    soaFilter();
    sortable();
    search();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
