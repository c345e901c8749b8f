/* The gap map's chart: active organizations per community, stacked by category, with the national
   target as a dashed line; data from the page's #gap-data JSON. A click on a bar opens that community. */
(function () {
  "use strict";

  var FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";
  var COLORS = ["#1d4ed8", "#d97706", "#7c3aed", "#067647"];

  function start() {
    var source = document.getElementById("gap-data");
    var node = document.getElementById("gap-chart");
    if (!source || !node || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var wide = node.clientWidth >= 560;
    var rows = data.communities.length;
    if (!wide || rows > 8) node.style.height = Math.max(220, rows * 34 + 110) + "px";
    var chart = echarts.init(node, null, { renderer: "svg" });
    var horizontal = !wide || rows > 8; // many communities or a phone: one bar per line
    var categoryAxis = {
      type: "category",
      data: horizontal ? data.communities.slice().reverse() : data.communities,
      axisLabel: { fontFamily: FONT, interval: 0, rotate: !horizontal && rows > 5 ? 30 : 0 },
      triggerEvent: true
    };
    var valueAxis = { type: "value", minInterval: 1, max: function (v) { return Math.max(v.max, data.target) + 1; }, axisLabel: { fontFamily: FONT } };
    var series = data.series.map(function (s, i) {
      var values = horizontal ? s.data.slice().reverse() : s.data;
      var item = { type: "bar", name: s.name, stack: "orgs", barMaxWidth: 28, cursor: "pointer", data: values };
      if (i === 0) {
        var line = horizontal ? { xAxis: data.target } : { yAxis: data.target };
        item.markLine = {
          symbol: "none",
          silent: true,
          lineStyle: { type: "dashed", color: "#b42318", width: 1.5 },
          label: { formatter: data.labels.target, fontFamily: FONT, color: "#b42318", position: horizontal ? "end" : "insideEndTop" },
          data: [line]
        };
      }
      return item;
    });
    chart.setOption({
      animation: false,
      color: COLORS,
      textStyle: { fontFamily: FONT, color: "#1f2933" },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, textStyle: { fontFamily: FONT } },
      grid: { left: 8, right: 24, top: wide ? 44 : 68, bottom: 8, containLabel: true }, // the legend wraps on a phone
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: series
    });
    var names = horizontal ? data.communities.slice().reverse() : data.communities;
    var urls = horizontal ? data.urls.slice().reverse() : data.urls;
    chart.on("click", function (params) {
      var index = params.componentType === "series" ? params.dataIndex : names.indexOf(params.value);
      if (index >= 0 && urls[index]) window.location.href = urls[index];
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
