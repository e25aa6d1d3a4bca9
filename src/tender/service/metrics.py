"""Prometheus metrics, one registry per app (so tests can build many apps in one process).

Request latency and plan solve time are observed here; notices open and deadlines missed are read from
the database at scrape time, so every `tender serve` process sharing a database reports the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector


class _DbCollector(Collector):
    def __init__(self, read: Callable[[], tuple[dict[str, int], int]]) -> None:
        self._read = read

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        try:
            by_status, missed = self._read()
        except Exception:  # the DB being down must not break /metrics
            return
        gauge = GaugeMetricFamily("tender_notices_open", "ROFR notices currently open (awaiting an answer)")
        gauge.add_metric([], by_status.get("open", 0))
        yield gauge
        counter = CounterMetricFamily(
            "tender_deadlines_missed", "notices whose deadline passed without an answer (all time)"
        )
        counter.add_metric([], missed)
        yield counter


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.request_seconds = Histogram(
            "tender_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.plan_solve_seconds = Histogram(
            "tender_plan_solve_seconds",
            "wall time of a plan run (solve + report)",
            registry=self.registry,
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
        )

    def watch_db(self, read: Callable[[], tuple[dict[str, int], int]]) -> None:
        self.registry.register(_DbCollector(read))

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))
