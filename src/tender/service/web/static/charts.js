// Draw the dashboard's charts from the JSON data block (no inline script: the page's CSP allows only 'self').
(function () {
  const data = document.getElementById("charts-data");
  if (!data) return;
  for (const c of JSON.parse(data.textContent)) {
    Plotly.newPlot(c.id, c.data, c.layout, {displaylogo: false, responsive: true});
  }
})();
