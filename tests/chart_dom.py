"""What a reader sees in a chart, read from the browser's DOM (plotly charts and the inline SVG charts alike).

`chart_problems(page)` returns (charts found, problems): for every chart, each legend box must lie inside
the figure box, and so must every other label (no text drawn past the edge), no legend entry may be listed twice, the y axis must have a title, and the legend must not
cover the x axis title. Plotly and `tender.sim.svg` both mark the parts with the classes `legend`,
`xtitle` and `ytitle`.
"""

from __future__ import annotations

from typing import Any

CHECK = """() => {
  const problems = [];
  const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
  const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const charts = [];
  for (const div of document.querySelectorAll('.js-plotly-plot')) {
    charts.push({name: div.id, box: div.querySelector('.svg-container'), root: div});
  }
  for (const svg of document.querySelectorAll('figure > svg')) {
    charts.push({name: svg.querySelector('title').textContent, box: svg, root: svg});
  }
  for (const c of charts) {
    const fig = c.box.getBoundingClientRect();
    const xtitle = c.root.querySelector('text.xtitle');
    const ytitle = c.root.querySelector('text.ytitle');
    if (!ytitle || !ytitle.textContent.trim()) problems.push(`${c.name}: no y-axis title`);
    const names = [];
    for (const g of c.root.querySelectorAll('g.legend')) {
      const box = g.getBoundingClientRect();
      if (!inside(box, fig)) problems.push(`${c.name}: legend ${JSON.stringify(box)} outside figure ${JSON.stringify(fig)}`);
      for (const t of g.querySelectorAll('text')) {
        const r = t.getBoundingClientRect();
        if (!inside(r, fig)) problems.push(`${c.name}: legend entry "${t.textContent}" outside the figure`);
        names.push(t.textContent);
      }
      if (xtitle && overlap(box, xtitle.getBoundingClientRect())) problems.push(`${c.name}: legend covers the x-axis title`);
    }
    for (const t of c.root.querySelectorAll('text')) {  // any label drawn past the edge is cut off
      const r = t.getBoundingClientRect();
      if (r.width > 0 && t.textContent.trim() && !inside(r, fig)) problems.push(`${c.name}: "${t.textContent}" drawn outside the figure`);
    }
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    if (dup.length) problems.push(`${c.name}: legend lists ${JSON.stringify(dup)} twice`);
  }
  return [charts.length, problems];
}"""


def chart_problems(page: Any) -> tuple[int, list[str]]:
    count, problems = page.evaluate(CHECK)
    return int(count), [str(p) for p in problems]
