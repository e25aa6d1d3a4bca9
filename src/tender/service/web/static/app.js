// Count down every ".countdown" cell (seconds left until a notice's deadline), once a second.
(function () {
  function fmt(s) {
    if (s <= 0) return "expired";
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    return (d ? d + "d " : "") + (h ? h + "h " : "") + m + "m " + (s % 60) + "s";
  }
  const cells = Array.from(document.querySelectorAll(".countdown"));
  const start = Date.now();
  function tick() {
    const gone = Math.floor((Date.now() - start) / 1000);
    for (const c of cells) c.textContent = fmt(Math.max(0, Number(c.dataset.seconds) - gone));
  }
  tick();
  setInterval(tick, 1000);
})();
