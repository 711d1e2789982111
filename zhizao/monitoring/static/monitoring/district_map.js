/* The district map (ECharts with the plan's district boundaries, loaded before this file):
   each district coloured by its five-year progress in %, a click opens the district.
   Used by the overview (figures fetched per indicator) and by the public dashboard (figures
   from the published record, in the page).

   const map = zhizaoDistrictMap(element, {noData: "无数据", onClick: (code) => ...});
   map.draw(title, mapName, [{name, code, value}]);   // value: % or null */
window.zhizaoDistrictMap = function (element, options) {
  const chart = echarts.init(element);
  const codes = {};
  const noData = options.noData || "—";
  chart.on("click", (p) => { if (codes[p.name] && options.onClick) options.onClick(codes[p.name]); });
  window.addEventListener("resize", () => chart.resize());
  return {
    chart: chart,
    draw(title, mapName, districts) {
      districts.forEach((d) => { codes[d.name] = d.code; });
      chart.setOption({
        title: {text: title, left: "center", textStyle: {fontSize: 13}},
        tooltip: {trigger: "item", formatter: (p) => p.name + "：" + (p.value == null || isNaN(p.value) ? noData : p.value + "%")},
        visualMap: {min: 0, max: 120, left: 0, bottom: 0, text: ["120%", "0%"], calculable: true,
                    inRange: {color: ["#f8d7da", "#fff3cd", "#d1e7dd", "#198754"]}},
        series: [{type: "map", map: mapName, label: {show: true, fontSize: 11},
                  data: districts.map((d) => ({name: d.name, value: d.value}))}],
      }, true);
    },
  };
};
