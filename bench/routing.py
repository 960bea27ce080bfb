"""Routing benchmark: Connection Scan on a generated ~50,000-connection network.

Measures, in one run and on the same queries:

* earliest-arrival (EA) queries in one vectorised batch (``earliest_arrival_batch``);
* the same EA queries one at a time with the scalar scan (every answer checked equal);
* bi-criteria (arrival, cost) Pareto queries in a batch (deadline = EA + 2 days), whose
  fastest label is checked against EA and, for a sample, against an unpruned scan;
* the same EA queries by Dijkstra on a time-expanded networkx graph (a subset: it is slow;
  every answer checked equal), run last so its large object graph does not slow the rest;
* ``POST /v1/rates`` through HTTP (uvicorn on 127.0.0.1) when the app has that route, else
  ``quote()`` on the demo network directly (reported as ``quote_p50_ms``).

Usage::

    python bench/routing.py            # full run, readable table
    python bench/routing.py --quick    # under a minute
    python bench/routing.py --json     # exactly one JSON object on stdout

The network mirrors a parcel network (research notes, routing.md 5.1): 20 origin sorting
centres, 30 hubs, 50 destination gateways with customs dwell, 100 delivery units, in time
zones around the world, with weekly schedules expanded over 21 days.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from bisect import bisect_left
from datetime import UTC, datetime
from typing import Any

import numpy as np

from postbridge.network.model import (
    Departure,
    Facility,
    FacilityKind,
    Leg,
    Network,
    ServiceLevel,
    Spread,
    TransportMode,
    Weekday,
)
from postbridge.routing.batch import (
    earliest_arrival_batch,
    earliest_arrival_labels,
    latest_departure_labels,
    useful_positions,
)
from postbridge.routing.scan import earliest_arrival, pareto_front
from postbridge.routing.timetable import UNREACHED, ConnectionSet, Timetable, build_timetable

START = datetime(2026, 11, 23, tzinfo=UTC)
HORIZON_DAYS = 21
SPOT_CHECKS = 20  # Pareto queries whose pruned front is checked against the unpruned scan
ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Europe/Brussels", "Europe/Madrid",
         "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo",
         "America/Santiago", "America/Mexico_City", "Pacific/Auckland", "Pacific/Honolulu")  # fmt: skip


def generate_network(seed: int) -> Network:
    """A seeded network of ~50,000 connections over 21 days (about 16,700 weekly departures)."""
    rng = np.random.default_rng(seed)
    tiers = [
        ("O", 20, FacilityKind.ORIGIN_SORTING_CENTRE, (60, 60)),
        ("H", 30, FacilityKind.TRANSIT_HUB, (120, 120)),
        ("G", 50, FacilityKind.OFFICE_OF_EXCHANGE, (240, 720)),
        ("D", 100, FacilityKind.PARTNER_INJECTION_POINT, (30, 30)),
    ]
    facilities: dict[str, Facility] = {}
    names: dict[str, list[str]] = {}
    for prefix, count, kind, (low, high) in tiers:
        names[prefix] = [f"{prefix}{index:03d}" for index in range(count)]
        for name in names[prefix]:
            dwell = int(rng.choice([low, high]))
            facilities[name] = Facility(
                id=name,
                kind=kind,
                name=name,
                city=name,
                country="US",
                time_zone=str(rng.choice(ZONES)),
                processing=Spread(dwell, dwell * 2),
                upu_code="XXXXXA" if kind is FacilityKind.OFFICE_OF_EXCHANGE else None,
            )
    legs: list[Leg] = []

    def add_lanes(sources: str, sinks: str, per_source: int, per_week: tuple[int, int],
                  hours: tuple[int, int], cost_per_kg: tuple[int, int]) -> None:  # fmt: skip
        for source in names[sources]:
            choices = [s for s in names[sinks] if s != source]
            for sink in rng.choice(choices, size=per_source, replace=False):
                count = int(rng.integers(per_week[0], per_week[1] + 1))
                slots = rng.choice(7 * 1440 // 15, size=count, replace=False) * 15
                legs.append(
                    Leg(
                        id=f"{source}>{sink}",
                        origin=source,
                        destination=str(sink),
                        mode=TransportMode.AIR,
                        operator="bench",
                        services=frozenset(ServiceLevel),
                        departures=tuple(
                            Departure(Weekday(int(slot) // 1440), int(slot) % 1440)
                            for slot in sorted(slots)
                        ),
                        cutoff_min=int(rng.choice([30, 60, 120, 240])),
                        duration_min=int(rng.integers(hours[0] * 60, hours[1] * 60 + 1)),
                        capacity_kg=None,
                        capacity_items=None,
                        cost_per_kg_minor=int(rng.integers(cost_per_kg[0], cost_per_kg[1] + 1)),
                        cost_per_item_minor=int(rng.integers(1, 10)),
                    )
                )

    add_lanes("O", "H", 4, (14, 21), (2, 10), (5, 20))
    add_lanes("H", "H", 6, (7, 14), (3, 14), (80, 250))
    add_lanes("H", "G", 12, (5, 12), (10, 18), (200, 500))
    add_lanes("G", "D", 24, (5, 12), (5, 72), (20, 100))
    return Network("bench", "1", "USD", facilities, tuple(legs), {}, {}, {})


def make_queries(timetable: Timetable, count: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed + 1)
    origins = np.array(
        [timetable.stop_index[f"O{i:03d}"] for i in rng.integers(0, 20, count)], dtype=np.int64
    )
    targets = np.array(
        [timetable.stop_index[f"D{i:03d}"] for i in rng.integers(0, 100, count)], dtype=np.int64
    )
    ready = timetable.start_minute + rng.integers(0, 2 * 1440, count).astype(np.int64)
    return origins, targets, ready


# --- networkx baseline: Dijkstra on a time-expanded graph --------------------------------------


class TimeExpandedGraph:
    """One node per (stop, time) event; ride, wait and sink edges weighted by elapsed minutes."""

    def __init__(self, connections: ConnectionSet) -> None:
        import networkx as nx

        dropoff, ready, dep_stop, arr_stop = connections.lists
        events: dict[tuple[int, int], int] = {}

        def node(stop: int, minute: int) -> int:
            return events.setdefault((stop, minute), len(events))

        graph = nx.DiGraph()
        arrival_events: list[tuple[int, int]] = []
        for d, r, s, a in zip(dropoff, ready, dep_stop, arr_stop, strict=True):
            graph.add_edge(node(s, d), node(a, r), weight=r - d)
            arrival_events.append((a, r))
        per_stop: dict[int, list[tuple[int, int]]] = {}
        for (stop, minute), index in events.items():
            per_stop.setdefault(stop, []).append((minute, index))
        self.times: dict[int, list[int]] = {}
        self.nodes: dict[int, list[int]] = {}
        for stop, items in per_stop.items():
            items.sort()
            self.times[stop] = [m for m, _ in items]
            self.nodes[stop] = [n for _, n in items]
            for (m1, n1), (m2, n2) in zip(items, items[1:], strict=False):
                graph.add_edge(n1, n2, weight=m2 - m1)
        self.sink_base = len(events)
        for stop, minute in arrival_events:
            graph.add_edge(events[(stop, minute)], self.sink_base + stop, weight=0)
        self.graph = graph
        self.nx = nx

    def earliest_arrival(self, origin: int, ready_at: int, target: int) -> int:
        times = self.times.get(origin, [])
        first = bisect_left(times, ready_at)
        sink = self.sink_base + target
        if first == len(times) or sink not in self.graph:
            return UNREACHED
        source = self.nodes[origin][first]
        try:
            length = self.nx.dijkstra_path_length(self.graph, source, sink)
        except self.nx.NetworkXNoPath:
            return UNREACHED
        return times[first] + int(length)


# --- rates through HTTP, or quote() directly -----------------------------------------------


RATES_BODY = {
    "origin": {"country": "CN", "postal_code": "518057"},
    "destination": {"country": "US", "postal_code": "10001"},
    "parcel": {"weight_g": 800, "length_mm": 250, "width_mm": 180, "height_mm": 90},
    "declared_value": {"amount": "35.00", "currency": "USD"},
    "incoterm": "DDU",
}


def measure_rates(samples: int) -> tuple[float | None, str]:
    """p50 ms of POST /v1/rates on a real uvicorn, or (None, why not)."""
    try:
        from postbridge.app import create_app
    except ImportError as exc:
        return None, f"postbridge.app.create_app not importable: {exc}"
    import tempfile
    import threading

    import httpx
    import uvicorn

    from postbridge.bootstrap import build_platform
    from postbridge.config import Settings
    from postbridge.merchants.models import Role
    from postbridge.merchants.service import create_merchant
    from postbridge.migrations import upgrade

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/bench.db")
        upgrade(settings.database_url)
        platform = build_platform(settings)
        app = create_app(settings, platform=platform)
        if "/v1/rates" not in app.openapi()["paths"]:
            return None, "the app has no POST /v1/rates route yet"
        token = create_merchant(
            database=platform.database, name="bench", role=Role.MERCHANT, pepper=settings.secret_key
        ).token
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        headers = {"Authorization": f"Bearer {token}"}
        timings = []
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
                first = client.post("/v1/rates", json=RATES_BODY)
                if first.status_code != 200 or not first.json().get("options"):
                    return None, f"/v1/rates answered {first.status_code}: {first.text[:200]}"
                for _ in range(samples):
                    began = time.perf_counter()
                    client.post("/v1/rates", json=RATES_BODY).raise_for_status()
                    timings.append((time.perf_counter() - began) * 1000)
        finally:
            server.should_exit = True
            thread.join(timeout=5)
        return statistics.median(timings), "POST /v1/rates through HTTP (uvicorn, 127.0.0.1)"


def measure_quote(samples: int) -> tuple[float, int]:
    from postbridge.kit.measures import Dimensions
    from postbridge.kit.money import Money
    from postbridge.network import demo_network
    from postbridge.routing.quote import QuoteRequest, quote

    network = demo_network()
    request = QuoteRequest(
        "Shenzhen", "US", "10001", 800, Dimensions(250, 180, 90), Money.parse("35.00", "USD")
    )
    now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    options = quote(network, request, now=now)  # warm the cached timetable
    timings = []
    for _ in range(samples):
        began = time.perf_counter()
        quote(network, request, now=now)
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings), len(options)


# --- the run -------------------------------------------------------------------------------


def run(quick: bool, seed: int) -> dict[str, Any]:
    ea_count = 5_000 if quick else 10_000
    scalar_count = 500 if quick else 10_000
    nx_count = 30 if quick else 200
    pareto_count = 2_000 if quick else 5_000

    began = time.perf_counter()
    network = generate_network(seed)
    timetable = build_timetable(network, START, HORIZON_DAYS)
    connections = timetable.connections()
    build_s = time.perf_counter() - began
    origins, targets, ready = make_queries(timetable, ea_count, seed)

    began = time.perf_counter()
    batch = earliest_arrival_batch(connections, origins, ready, targets)
    ea_ms = (time.perf_counter() - began) * 1000 / ea_count

    began = time.perf_counter()
    scalar = [
        earliest_arrival(connections, int(o), int(r), [int(t)]).ready[int(t)]
        for o, r, t in zip(origins[:scalar_count], ready[:scalar_count], targets[:scalar_count],
                           strict=True)
    ]  # fmt: skip
    scalar_ms = (time.perf_counter() - began) * 1000 / scalar_count
    scalar_equal = scalar == batch[:scalar_count].tolist()

    # Pareto queries in a batch: two vectorised scans (forward earliest arrival, backward latest
    # departure to the target by the deadline) keep only the connections on some feasible
    # journey; the exact bi-criteria scan then runs on those. Deadline = EA + 2 days, as a
    # "cheapest within the promise" search would use.
    costs = (timetable.cost_per_item + (timetable.cost_per_kg * 1000 + 500) // 1000).tolist()
    p_origins, p_targets, p_ready = (
        origins[:pareto_count],
        targets[:pareto_count],
        ready[:pareto_count],
    )
    fastest = batch[:pareto_count]
    reached_mask = fastest < UNREACHED
    deadlines = np.where(reached_mask, fastest + 2 * 1440, p_ready)
    front_sizes = []
    scanned = []
    pruned_fronts: dict[int, list[tuple[int, int]]] = {}  # the first queries', for the check
    pareto_equal = True
    began = time.perf_counter()
    forward, forward_base = earliest_arrival_labels(connections, p_origins, p_ready, deadlines)
    backward, backward_base = latest_departure_labels(connections, p_targets, deadlines, p_ready)
    for index in range(pareto_count):
        if not reached_mask[index]:
            continue
        origin, target, ready_at = int(p_origins[index]), int(p_targets[index]), int(p_ready[index])
        latest = int(deadlines[index])
        useful = useful_positions(
            connections,
            forward,
            forward_base,
            backward,
            backward_base,
            index,
            target,
            ready_at,
            latest,
        )
        scanned.append(len(useful))
        front = pareto_front(
            connections, origin, ready_at, [target], costs, latest=latest,
            candidate_positions=useful,
        )  # fmt: skip
        labels = front.labels[target]
        front_sizes.append(len(labels))
        pareto_equal = pareto_equal and bool(labels) and labels[0].ready == int(fastest[index])
        if index < SPOT_CHECKS:
            pruned_fronts[index] = [(x.ready, x.cost) for x in labels]
    pareto_ms = (time.perf_counter() - began) * 1000 / pareto_count

    # Spot-check the pruning: the unpruned scan gives the same fronts as the timed pruned ones.
    for index, pruned in pruned_fronts.items():
        origin, target, ready_at = int(p_origins[index]), int(p_targets[index]), int(p_ready[index])
        full = pareto_front(
            connections, origin, ready_at, [target], costs, latest=int(deadlines[index])
        )
        same = [(x.ready, x.cost) for x in full.labels[target]] == pruned
        pareto_equal = pareto_equal and same

    # networkx baseline last: its large object graph would slow the other timings (GC).
    began = time.perf_counter()
    graph = TimeExpandedGraph(connections)
    nx_build_s = time.perf_counter() - began
    began = time.perf_counter()
    by_networkx = [
        graph.earliest_arrival(int(o), int(r), int(t))
        for o, r, t in zip(origins[:nx_count], ready[:nx_count], targets[:nx_count], strict=True)
    ]
    nx_ms = (time.perf_counter() - began) * 1000 / nx_count
    nx_equal = by_networkx == batch[:nx_count].tolist()
    graph_size = (graph.graph.number_of_nodes(), graph.graph.number_of_edges())
    # The graph holds ~300k Python dicts: drop it so the garbage collector's passes over it do
    # not slow down the timings that follow.
    del graph
    gc.collect()

    rates_p50, rates_note = measure_rates(50 if quick else 300)
    quote_p50, quote_options = measure_quote(100 if quick else 500)
    reached = int(np.count_nonzero(batch < UNREACHED))
    return {
        "connections": len(timetable),
        "facilities": len(network.facilities),
        "legs": len(network.legs),
        "horizon_days": HORIZON_DAYS,
        "build_s": round(build_s, 3),
        "ea_queries": ea_count,
        "ea_reached": reached,
        "ea_ms_per_query": round(ea_ms, 4),
        "ea_scalar_ms_per_query": round(scalar_ms, 4),
        "networkx_queries": nx_count,
        "networkx_build_s": round(nx_build_s, 3),
        "networkx_nodes": graph_size[0],
        "networkx_edges": graph_size[1],
        "networkx_ms_per_query": round(nx_ms, 3),
        "ea_speedup_vs_networkx": round(nx_ms / ea_ms, 1),
        "pareto_queries": pareto_count,
        "pareto_ms_per_query": round(pareto_ms, 4),
        "pareto_mean_front": round(statistics.mean(front_sizes), 2) if front_sizes else None,
        "pareto_mean_scanned": round(statistics.mean(scanned), 1) if scanned else None,
        "rates_p50_ms": None if rates_p50 is None else round(rates_p50, 3),
        "rates_note": rates_note,
        "quote_p50_ms": round(quote_p50, 3),
        "quote_options": quote_options,
        "answers_equal": bool(scalar_equal and nx_equal and pareto_equal),
        "answers": {
            "batch_vs_scalar": scalar_equal,
            "batch_vs_networkx": nx_equal,
            "pareto_fastest_vs_ea": pareto_equal,
        },  # fmt: skip
    }


def print_table(figures: dict[str, Any]) -> None:
    rows = [
        ("network", f"{figures['connections']:,} connections, {figures['facilities']} facilities, "
                    f"{figures['legs']} legs, {figures['horizon_days']} days; built in "
                    f"{figures['build_s']} s"),
        ("EA batch (vectorised)", f"{figures['ea_ms_per_query']} ms/query over "
                                  f"{figures['ea_queries']:,} queries ({figures['ea_reached']:,} reached)"),
        ("EA scalar scan", f"{figures['ea_scalar_ms_per_query']} ms/query"),
        ("networkx time-expanded Dijkstra", f"{figures['networkx_ms_per_query']} ms/query over "
                                            f"{figures['networkx_queries']} queries; graph "
                                            f"{figures['networkx_nodes']:,} nodes / "
                                            f"{figures['networkx_edges']:,} edges, built in "
                                            f"{figures['networkx_build_s']} s"),
        ("EA speed-up vs networkx", f"{figures['ea_speedup_vs_networkx']}x"),
        ("Pareto (arrival, cost)", f"{figures['pareto_ms_per_query']} ms/query over "
                                   f"{figures['pareto_queries']} queries, mean front "
                                   f"{figures['pareto_mean_front']}, mean connections scanned "
                                   f"{figures['pareto_mean_scanned']}"),
        ("POST /v1/rates p50", f"{figures['rates_p50_ms']} ms ({figures['rates_note']})"),
        ("quote() p50, demo network", f"{figures['quote_p50_ms']} ms, "
                                      f"{figures['quote_options']} options"),
        ("answers equal", f"{figures['answers_equal']} {figures['answers']}"),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer queries; under a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object of figures")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    figures = run(args.quick, args.seed)
    if args.json:
        keys = ("ea_ms_per_query", "ea_speedup_vs_networkx", "pareto_ms_per_query",
                "rates_p50_ms", "answers_equal")  # fmt: skip
        summary = {key: figures[key] for key in keys}
        summary.update({k: v for k, v in figures.items() if k not in summary})
        print(json.dumps(summary))
    else:
        print_table(figures)
    return 0 if figures["answers_equal"] else 1


if __name__ == "__main__":
    sys.exit(main())
