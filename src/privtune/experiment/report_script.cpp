// The report page's own style sheet and script, written by hand and kept small. The script
// draws the tables (sortable, with a CSV download each, built in the browser from the
// table's data), embeds each chart with vega-embed, and finally records the outcome on
// <body> for tests and tools:
//   data-report-status   "ok" when every chart rendered and nothing threw, else "error"
//   data-charts-expected, data-charts-rendered   counts
//   data-charts-ok       ids of the rendered charts, space separated
//   data-report-errors   what went wrong, "; " separated
#include "privtune/experiment/report_internal.h"

namespace privtune::experiment::report_detail {

namespace {

constexpr const char* kStyle = R"css(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
       max-width: 1280px; padding: 16px 24px 48px; color: #1d1d1f; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 18px; margin: 28px 0 4px; border-bottom: 1px solid #ddd; padding-bottom: 2px; }
.meta { color: #555; margin: 0 0 12px; }
nav a { margin-right: 12px; }
.desc { color: #444; max-width: 900px; margin: 4px 0 8px; }
.omitted { color: #7a5b00; background: #fff7df; border-left: 3px solid #e0b400; padding: 4px 8px; }
.vis { overflow-x: auto; }
.vega-bindings { margin-top: 6px; }
.vega-bind { display: inline-block; margin-right: 16px; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { background: #f3f3f5; white-space: nowrap; }
th button { all: unset; cursor: pointer; }
th[aria-sort=ascending] button::after { content: " \25B2"; }
th[aria-sort=descending] button::after { content: " \25BC"; }
tr.failed td { background: #fdecec; }
td.error { color: #a00; max-width: 420px; white-space: pre-wrap; }
.csv { margin: 4px 0; }
)css";

constexpr const char* kScript = R"js(
(function () {
  "use strict";
  var body = document.body;
  var errors = [];
  var settled = false;
  var rendered = [];
  var expected = 0;

  function message(err) {
    return err && err.message ? err.message : String(err);
  }
  // Written whenever something changes after the charts settled, so a late exception
  // still turns the status to "error".
  function publish() {
    if (!settled) return;
    body.dataset.chartsExpected = String(expected);
    body.dataset.chartsRendered = String(rendered.length);
    body.dataset.chartsOk = rendered.join(" ");
    body.dataset.reportErrors = errors.join("; ");
    body.dataset.reportStatus = errors.length === 0 && rendered.length === expected ? "ok" : "error";
  }
  window.addEventListener("error", function (e) {
    errors.push("uncaught: " + message(e.error || e.message));
    publish();
  });
  window.addEventListener("unhandledrejection", function (e) {
    errors.push("unhandled rejection: " + message(e.reason));
    publish();
  });

  function isNumber(v) { return typeof v === "number" && isFinite(v); }
  function formatNumber(v) {
    if (!isNumber(v)) return "";
    if (Number.isInteger(v)) return Math.abs(v) >= 1e15 ? v.toExponential(3) : v.toLocaleString("en-US");
    var a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  }
  // The value a column sorts by, and the text it shows.
  function sortKey(col, v) {
    if (v === null || v === undefined) return null;
    if (col.kind === "estimate") return v.value;
    return v;
  }
  function cellText(col, v) {
    if (v === null || v === undefined) return "";
    if (col.kind === "estimate") {
      var ci = v.ci ? " [" + formatNumber(v.ci[0]) + ", " + formatNumber(v.ci[1]) + "]" : "";
      return formatNumber(v.value) + ci;
    }
    if (col.kind === "number") return formatNumber(v);
    return String(v);
  }

  function compare(a, b) {
    if (a === b) return 0;
    if (a === null) return 1;   // empty cells last in either direction
    if (b === null) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), undefined, {numeric: true});
  }

  function csvField(v) {
    var s = v === null || v === undefined ? "" : String(v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  // Full-precision values; an estimate becomes three columns (value, low, high).
  function tableCsv(table) {
    var header = [];
    table.columns.forEach(function (c) {
      if (c.kind === "estimate") header.push(c.label, c.label + " low", c.label + " high");
      else header.push(c.label);
    });
    var lines = [header.map(csvField).join(",")];
    table.rows.forEach(function (row) {
      var fields = [];
      table.columns.forEach(function (c) {
        var v = row[c.key];
        if (c.kind === "estimate") {
          fields.push(v ? v.value : "", v && v.ci ? v.ci[0] : "", v && v.ci ? v.ci[1] : "");
        } else {
          fields.push(v);
        }
      });
      lines.push(fields.map(csvField).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }
  function download(name, text) {
    var url = URL.createObjectURL(new Blob([text], {type: "text/csv;charset=utf-8"}));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function drawTable(table, holder) {
    var order = table.rows.slice();
    var sortColumn = -1;
    var ascending = true;
    var button = document.createElement("button");
    button.className = "csv";
    button.type = "button";
    button.textContent = "CSV";
    button.title = "Download this table as CSV";
    button.addEventListener("click", function () { download(table.id + ".csv", tableCsv(table)); });
    holder.appendChild(button);
    var wrap = document.createElement("div");
    wrap.className = "table-wrap";
    var el = document.createElement("table");
    el.id = "table-" + table.id;
    wrap.appendChild(el);
    holder.appendChild(wrap);
    var thead = el.createTHead().insertRow();
    table.columns.forEach(function (c, i) {
      var th = document.createElement("th");
      var b = document.createElement("button");
      b.textContent = c.label;
      b.title = "Sort by " + c.label;
      b.addEventListener("click", function () {
        ascending = sortColumn === i ? !ascending : true;
        sortColumn = i;
        order.sort(function (x, y) {
          var a = sortKey(c, x[c.key]), b = sortKey(c, y[c.key]);
          var r = compare(a, b);
          return a === null || b === null || ascending ? r : -r;
        });
        Array.prototype.forEach.call(thead.cells, function (cell, j) {
          if (j === i) cell.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          else cell.removeAttribute("aria-sort");
        });
        fill();
      });
      th.appendChild(b);
      thead.appendChild(th);
    });
    var tbody = el.createTBody();
    function fill() {
      tbody.textContent = "";
      order.forEach(function (row) {
        var tr = tbody.insertRow();
        if (row.status === "failed") tr.className = "failed";
        table.columns.forEach(function (c) {
          var td = tr.insertCell();
          td.textContent = cellText(c, row[c.key]);
          if (c.kind !== "text") td.className = "num";
          if (c.key === "error") td.className = "error";
        });
      });
      if (order.length === 0) {
        var td = tbody.insertRow().insertCell();
        td.colSpan = table.columns.length;
        td.textContent = "no rows";
      }
    }
    fill();
  }

  var model = JSON.parse(document.getElementById("report-data").textContent);
  model.tables.forEach(function (table) {
    try {
      drawTable(table, document.getElementById("holder-" + table.id));
    } catch (err) {
      errors.push("table " + table.id + ": " + message(err));
    }
  });

  var charts = model.charts.filter(function (c) { return c.spec; });
  expected = charts.length;
  var options = {mode: "vega-lite", actions: false, renderer: "svg"};
  Promise.all(charts.map(function (c) {
    return Promise.resolve().then(function () {
      if (typeof vegaEmbed !== "function") throw new Error("vega-embed is not loaded");
      return vegaEmbed("#vis-" + c.id, c.spec, options);
    }).then(function () {
      rendered.push(c.id);
    }, function (err) {
      errors.push("chart " + c.id + ": " + message(err));
      var p = document.createElement("p");
      p.className = "omitted";
      p.textContent = "This chart failed to render: " + message(err);
      document.getElementById("vis-" + c.id).appendChild(p);
    });
  })).then(function () {
    settled = true;
    publish();
  });
})();
)js";

}  // namespace

std::string_view page_style() { return kStyle; }
std::string_view page_script() { return kScript; }

}  // namespace privtune::experiment::report_detail
