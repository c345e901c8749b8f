/* Sifu outcomes dashboard: draws the charts from the figures the page embeds as JSON
   (#dashboard-data) with ECharts, and makes the per-community rows drill down. */
(function () {
  "use strict";

  var FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";
  var PALETTE = ["#b42318", "#1d4ed8", "#d97706", "#067647", "#7c3aed", "#0e7490"];
  var charts = [];

  function init(id, option) {
    var node = document.getElementById(id);
    if (!node || typeof echarts === "undefined") return null;
    var chart = echarts.init(node, null, { renderer: "svg" });
    option.textStyle = { fontFamily: FONT, color: "#1f2933" };
    option.color = option.color || PALETTE;
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  function total(items) {
    return items.reduce(function (sum, item) { return sum + item.value; }, 0);
  }

  function pct(value, sum) {
    return (sum ? (value / sum) * 100 : 0).toFixed(1) + "%";
  }

  function donut(id, items, colors) {
    var node = document.getElementById(id);
    if (!node) return null;
    var sum = total(items);
    var wide = node.clientWidth >= 460; // outer labels only where they fit; the legend always has the numbers
    var values = {};
    items.forEach(function (item) { values[item.name] = item.value; });
    return init(id, {
      color: colors,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: {
        bottom: 0,
        left: "center",
        textStyle: { fontFamily: FONT },
        formatter: function (name) { return name + "  " + values[name] + " (" + pct(values[name], sum) + ")"; }
      },
      series: [{
        type: "pie",
        radius: ["42%", "66%"],
        center: ["50%", "44%"],
        avoidLabelOverlap: true,
        label: {
          show: wide,
          alignTo: "edge",
          edgeDistance: 8,
          minMargin: 4,
          lineHeight: 16,
          fontFamily: FONT,
          formatter: function (p) { return p.name + "\n" + p.value + " (" + pct(p.value, sum) + ")"; }
        },
        labelLine: { show: wide },
        data: items.map(function (item) { return { name: item.name, value: item.value }; })
      }]
    });
  }

  function drawCategory(items) {
    var node = document.getElementById("chart-category");
    if (!node) return null;
    var wide = node.clientWidth >= 460; // on a phone the bars' own labels carry the numbers
    var sum = total(items);
    var ordered = items.slice().reverse(); // first category at the top
    return init("chart-category", {
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (ps) { var p = ps[0]; return p.name + ": " + p.value + " (" + pct(p.value, sum) + ")"; }
      },
      grid: { left: 8, right: wide ? 72 : 84, top: 8, bottom: 8, containLabel: true },
      xAxis: {
        type: "value",
        minInterval: 1,
        axisLabel: { show: wide, fontFamily: FONT },
        splitLine: { show: wide }
      },
      yAxis: { type: "category", data: ordered.map(function (i) { return i.name; }), axisLabel: { fontFamily: FONT } },
      series: [{
        type: "bar",
        barMaxWidth: 26,
        data: ordered.map(function (i) { return i.value; }),
        label: {
          show: true,
          position: "right",
          fontFamily: FONT,
          formatter: function (p) { return p.value + " (" + pct(p.value, sum) + ")"; }
        }
      }]
    });
  }

  function drawCommunities(rows, labels, target) {
    var node = document.getElementById("chart-communities");
    if (!node) return;
    node.style.height = Math.max(160, rows.length * 30 + (target ? 60 : 40)) + "px";
    var ordered = rows.slice().reverse(); // first community at the top
    var chart = init("chart-communities", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: target ? 28 : 8, bottom: 8, containLabel: true }, // room for the target's label
      xAxis: {
        type: "value",
        minInterval: 1,
        max: target ? function (v) { return Math.max(v.max, target) + 1; } : null,
        splitNumber: node.clientWidth >= 460 ? 5 : 3,
        axisLabel: { fontFamily: FONT }
      },
      yAxis: {
        type: "category",
        data: ordered.map(function (r) { return r.name; }),
        axisLabel: { fontFamily: FONT },
        triggerEvent: true
      },
      series: [{
        type: "bar",
        name: labels.organizations,
        barMaxWidth: 22,
        cursor: "pointer",
        label: { show: true, position: "right", fontFamily: FONT },
        data: ordered.map(function (r) { return r.value; }),
        // the national target of active organizations per urban community (民发〔2017〕191号)
        markLine: target ? {
          symbol: "none",
          silent: true,
          lineStyle: { type: "dashed", color: "#b42318", width: 1.5 },
          label: { formatter: labels.target, fontFamily: FONT, color: "#b42318", position: "end" },
          data: [{ xAxis: target }]
        } : undefined
      }]
    });
    if (!chart) return;
    chart.on("click", function (params) {
      var index = params.componentType === "yAxis" ? ordered.findIndex(function (r) { return r.name === params.value; }) : params.dataIndex;
      if (index >= 0 && ordered[index]) window.location.href = ordered[index].url;
    });
  }

  function drillRows() {
    document.querySelectorAll("tr[data-href]").forEach(function (row) {
      row.addEventListener("click", function (event) {
        if (event.target.closest("a")) return; // the link itself navigates
        window.location.href = row.getAttribute("data-href");
      });
    });
  }

  function start() {
    var source = document.getElementById("dashboard-data");
    drillRows();
    document.querySelectorAll("[data-action=print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    if (!source) return;
    var data = JSON.parse(source.textContent);
    donut("chart-nature", data.nature, ["#b42318", "#1d4ed8"]);
    donut("chart-legal", data.legal_status, ["#d97706", "#067647"]);
    drawCategory(data.category);
    drawCommunities(data.communities, data.labels, data.target);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
