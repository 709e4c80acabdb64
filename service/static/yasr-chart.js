/* A chart view for YASGUI's results (YASR plugin "chart"): a horizontal bar chart of one numeric
   column against one label column, drawn as SVG with DOM calls (no library, no inline script,
   nothing from other hosts), with pickers for the two columns and an SVG download.
   Served by service/query_page.py as /static/yasr-chart.js, before the page script. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|negativeInteger|nonPositiveInteger|unsignedInt|unsignedLong)$/;
  var MAX_BARS = 60;

  function isNumber(term) {
    return !!term && term.type !== "uri" && term.type !== "bnode" && NUMERIC.test(term.datatype || "") && isFinite(Number(term.value));
  }

  function shorten(term, prefixes) {
    if (!term) return "";
    if (term.type !== "uri") return term.value;
    var best = null;
    Object.keys(prefixes || {}).forEach(function (name) {
      var ns = prefixes[name];
      if (term.value.indexOf(ns) === 0 && (!best || ns.length > best.ns.length)) best = { name: name, ns: ns };
    });
    return best ? best.name + ":" + term.value.slice(best.ns.length) : term.value;
  }

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function ChartPlugin(yasr) {
    this.yasr = yasr;
    this.priority = 5;
    this.label = "Chart";
    this.svg = null;
  }

  ChartPlugin.prototype.columns = function () {
    var results = this.yasr.results;
    var rows = results.getBindings();
    var vars = results.getVariables();
    var numeric = vars.filter(function (v) { return rows.some(function (r) { return isNumber(r[v]); }); });
    var labels = vars.filter(function (v) { return numeric.indexOf(v) < 0; });
    return { rows: rows, numeric: numeric, labels: labels.length ? labels : vars };
  };

  ChartPlugin.prototype.canHandleResults = function () {
    var results = this.yasr.results;
    if (!results || results.getType() !== "json" || !results.getVariables) return false;
    var rows = results.getBindings() || [];
    return rows.length > 0 && this.columns().numeric.length > 0;
  };

  ChartPlugin.prototype.getIcon = function () {
    var icon = el("svg", { viewBox: "0 0 16 16", width: "16", height: "16", "aria-hidden": "true" });
    [[1, 9, 3, 6], [6, 4, 3, 11], [11, 7, 3, 8]].forEach(function (b) {
      icon.appendChild(el("rect", { x: b[0], y: b[1], width: b[2], height: b[3], fill: "currentColor" }));
    });
    return icon;
  };

  ChartPlugin.prototype.draw = function () {
    var self = this;
    var cols = this.columns();
    var prefixes = (this.yasr.config && this.yasr.config.prefixes) || {};
    var root = document.createElement("div");
    root.className = "peacekg-chart";
    var controls = document.createElement("p");
    function picker(label, options, selected) {
      var wrap = document.createElement("label");
      wrap.textContent = label + " ";
      var select = document.createElement("select");
      options.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name; option.textContent = "?" + name; option.selected = name === selected;
        select.appendChild(option);
      });
      wrap.appendChild(select);
      controls.appendChild(wrap);
      controls.appendChild(document.createTextNode(" "));
      return select;
    }
    var labelPick = picker("Labels", cols.labels, cols.labels[0]);
    var valuePick = picker("Values", cols.numeric, cols.numeric[0]);
    root.appendChild(controls);
    var holder = document.createElement("div");
    root.appendChild(holder);

    function render() {
      var labelVar = labelPick.value, valueVar = valuePick.value;
      var bars = cols.rows.filter(function (r) { return isNumber(r[valueVar]); }).slice(0, MAX_BARS).map(function (r) {
        return { label: shorten(r[labelVar], prefixes), value: Number(r[valueVar].value) };
      });
      var max = Math.max.apply(null, bars.map(function (b) { return Math.abs(b.value); }).concat([1]));
      var rowHeight = 22, left = 260, width = 820, top = 24;
      var svg = el("svg", { xmlns: SVG, width: width, height: top + bars.length * rowHeight + 10, role: "img",
                            "aria-label": "?" + valueVar + " by ?" + labelVar, "class": "peacekg-chart-svg" });
      svg.appendChild(el("text", { x: left, y: 14, "font-size": "12", fill: "#333" }, "?" + valueVar + " by ?" + labelVar +
        (cols.rows.length > bars.length ? " (first " + bars.length + " rows)" : "")));
      bars.forEach(function (b, i) {
        var y = top + i * rowHeight;
        var w = Math.max(1, Math.round((width - left - 70) * Math.abs(b.value) / max));
        var label = b.label.length > 40 ? b.label.slice(0, 39) + "…" : b.label;
        svg.appendChild(el("text", { x: left - 6, y: y + 14, "text-anchor": "end", "font-size": "12", fill: "#222" }, label));
        var bar = el("rect", { x: left, y: y + 3, width: w, height: rowHeight - 6, fill: b.value < 0 ? "#c0504d" : "#0b5cad" });
        bar.appendChild(el("title", {}, b.label + ": " + b.value));
        svg.appendChild(bar);
        svg.appendChild(el("text", { x: left + w + 4, y: y + 14, "font-size": "12", fill: "#222" }, String(b.value)));
      });
      holder.textContent = "";
      holder.appendChild(svg);
      self.svg = svg;
    }
    labelPick.addEventListener("change", render);
    valuePick.addEventListener("change", render);
    render();
    this.yasr.resultsEl.appendChild(root);
  };

  ChartPlugin.prototype.download = function () {
    var self = this;
    if (!this.svg) return undefined;
    return { contentType: "image/svg+xml", title: "Download the chart (SVG)", filename: "chart.svg",
             getData: function () { return new XMLSerializer().serializeToString(self.svg); } };
  };

  Yasgui.Yasr.registerPlugin("chart", ChartPlugin);
})();
