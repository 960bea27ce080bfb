"""Bulk capture benchmark: a generated CSV with ~5% bad rows, booked end to end on SQLite.

    .venv/bin/python bench/booking.py            # 100k rows (and a 20k run to show flat memory)
    .venv/bin/python bench/booking.py --quick    # 20k rows
    .venv/bin/python bench/booking.py --json     # one JSON object of figures

Each run books in a child process on a fresh SQLite file so that its peak RSS is its own.
The path is the production one: postbridge.bulk.batches.run_batch, as `postbridge book`
and POST /v1/shipment-batches use it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # so "bench." helpers import when run as a script

BAD_SHARE = 0.05
# DDP is refused where the rules in force cannot estimate the import charges (the US after the
# Section 122 surcharge expired, Singapore without recorded rules): those orders are DDU here,
# so the bad rows stay the ~5 % spoiled on purpose.
DDP_NOT_ESTIMABLE = frozenset({"US", "SG"})
SENDERS = [
    ("Li Wei", "Shenzhen Gadgets Co", "No. 8 Keji Road, Nanshan", "Shenzhen", "Guangdong", "518057", "+86 755 8888 8888"),
    ("Chen Jing", "Yiwu Home Goods", "88 Chouzhou Road", "Yiwu", "Zhejiang", "322000", "+86 579 8555 1234"),
    ("Wang Fang", "Guangzhou Apparel Ltd", "12 Huacheng Avenue", "Guangzhou", "Guangdong Sheng", "510623", "+86 20 8888 1234"),
]  # fmt: skip
OTHER_RECIPIENTS = [
    ("BR", "Avenida Paulista, 1578", "Sao Paulo", "SP", "01310-200", "+55 11 91234-5678"),
    ("BR", "Rua da Assembleia, 10", "Rio de Janeiro", "RJ", "20011-000", "+55 21 98765-4321"),
    ("ES", "Calle de Alcala, 50", "Madrid", "Madrid", "28014", "+34 612 345 678"),
    ("ES", "Carrer de Balmes, 120", "Barcelona", "Barcelona", "08008", "+34 622 111 222"),
    ("MX", "Av. Paseo de la Reforma 222", "Ciudad de Mexico", "CDMX", "06600", "+52 55 1234 5678"),
    ("CL", "Avenida Providencia 1208", "Santiago", "Region Metropolitana", "7500000", "+56 9 6123 4567"),
    ("SG", "1 Raffles Place", "Singapore", "", "048616", "+65 6123 4567"),
]  # fmt: skip
PRODUCTS = [
    ("Cotton T-shirt", "610910", 990, 180), ("Phone case", "392690", 450, 60),
    ("Bluetooth earbuds", "851830", 2500, 120), ("LED desk lamp", "940520", 1899, 400),
    ("Stainless steel bottle", "732393", 1250, 300), ("Silk scarf", "621410", 1500, 80),
]  # fmt: skip


def cpf(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(9)]
    for length in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(length + 1, 1, -1), strict=False))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return "".join(map(str, digits))


def us_zips(rng: random.Random) -> list[tuple[str, str, str]]:
    import zipcodes

    rows = [
        (z["zip_code"], z["state"], z["city"].title())
        for z in zipcodes.list_all()
        if z["zip_code_type"] == "STANDARD" and z["active"] and not z["zip_code"].startswith("00")
    ]
    rng.shuffle(rows)
    return rows[:5000]


def generate(path: Path, rows: int, seed: int = 7) -> int:
    from postbridge.bulk.csv_format import template_header

    rng = random.Random(seed)
    zips = us_zips(rng)
    header = template_header(items=2)
    bad = 0
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for n in range(rows):
            row = good_row(rng, n, zips)
            if rng.random() < BAD_SHARE:
                spoil(rng, row)
                bad += 1
            writer.writerow(row)
    return bad


def good_row(rng: random.Random, n: int, zips: list[tuple[str, str, str]]) -> dict[str, str]:
    s_name, s_company, s_street, s_city, s_region, s_postal, s_phone = rng.choice(SENDERS)
    row = {
        "reference": f"ORDER-{n:07d}", "service": rng.choice(["standard", "standard", "economy", "premium"]),
        "incoterm": "DDP" if rng.random() < 0.3 else "DDU",
        "sender_name": s_name, "sender_company": s_company, "sender_street1": s_street,
        "sender_city": s_city, "sender_region": s_region, "sender_postal_code": s_postal,
        "sender_country": "CN", "sender_phone": s_phone, "recipient_name": f"Buyer {n}",
        "customs_category": "sale_of_goods", "currency": "USD",
        "length_mm": "250", "width_mm": "180", "height_mm": str(rng.randrange(20, 120)),
    }  # fmt: skip
    if rng.random() < 0.7:
        zip_code, state, city = rng.choice(zips)
        row.update(recipient_street1=f"{rng.randrange(1, 9999)} Main St", recipient_city=city,
                   recipient_region=state, recipient_postal_code=zip_code, recipient_country="US",
                   recipient_phone=f"+1 512 555 {rng.randrange(1000, 9999)}")  # fmt: skip
    else:
        country, street, city, region, postal, phone = rng.choice(OTHER_RECIPIENTS)
        # The demo network sells only standard service to these destinations (and economy to
        # some): generate orders it can serve, so the bad rows are the ~5% spoiled on purpose.
        row["service"] = "standard"
        row.update(recipient_street1=street, recipient_city=city, recipient_region=region,
                   recipient_postal_code=postal, recipient_country=country, recipient_phone=phone)  # fmt: skip
        if country == "BR":
            row["recipient_tax_id"] = cpf(rng)
    weight = 0
    for item in (1, 2)[: rng.choice((1, 1, 2))]:
        description, hs_code, cents, unit_weight = rng.choice(PRODUCTS)
        quantity = rng.randrange(1, 4)
        weight += quantity * unit_weight
        row.update({f"item{item}_description": description, f"item{item}_quantity": str(quantity),
                    f"item{item}_unit_value": f"{cents / 100:.2f}", f"item{item}_hs_code": hs_code,
                    f"item{item}_origin_country": "CN", f"item{item}_unit_weight_g": str(unit_weight)})  # fmt: skip
    row["weight_g"] = str(weight + rng.randrange(20, 150))
    if row["recipient_country"] in DDP_NOT_ESTIMABLE:
        row["incoterm"] = "DDU"  # after the draws: the rest of the file is unchanged
    if row["service"] == "economy" and int(row["weight_g"]) > 2000:
        row["service"] = "standard"  # economy small packets stop at 2 kg in the demo network
    return row


def spoil(rng: random.Random, row: dict[str, str]) -> None:
    kind = rng.randrange(6)
    if kind == 0:
        row["item1_hs_code"] = row["item1_hs_code"][:4]
    elif kind == 1:
        row["weight_g"] = "10"
    elif kind == 2:
        row["recipient_postal_code"] = "ABC"
    elif kind == 3:
        row["recipient_country"] = "XX"
    elif kind == 4:
        row["item1_unit_value"] = "free"
    else:
        row["customs_category"] = "merchandise"


def child(
    csv_path: Path, workdir: Path, workers: int | None, without_planner: bool
) -> dict[str, object]:
    """Book the file on a fresh SQLite database; runs in its own process."""
    from postbridge.bootstrap import build_platform
    from postbridge.bulk import batches
    from postbridge.bulk.pipeline import PipelineReport
    from postbridge.config import Settings
    from postbridge.kit.timing import StageClock
    from postbridge.merchants.models import Role
    from postbridge.merchants.service import create_merchant
    from postbridge.migrations import upgrade

    url = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(url)
    settings = Settings(database_url=url, secret_key="bench-pepper-123")
    platform = build_platform(settings)
    if without_planner:  # diagnosis only: isolates bulk capture from the route planner's cost
        platform.booking.planner = None
    merchant = create_merchant(
        database=platform.database, name="bench", role=Role.MERCHANT, pepper="bench-pepper-123"
    )
    clock = StageClock(time.thread_time)  # CPU seconds, summed over main and workers
    report = PipelineReport()
    cpu_started = time.process_time()
    started = time.perf_counter()
    sha = batches.file_sha256(csv_path)
    batch, _ = batches.open_batch(database=platform.database, merchant_id=merchant.merchant_id,
                                  batch_key="bench", file_name=csv_path.name, sha256=sha)  # fmt: skip
    batch = batches.run_batch(
        deps=platform.booking,
        batch_id=batch.id,
        source=csv_path,
        clock=clock,
        workers=workers,
        report=report,
    )
    seconds = time.perf_counter() - started
    main_cpu = time.process_time() - cpu_started
    reported = {
        r["row"]
        for r in batches.batch_results(database=platform.database, batch_id=batch.id)
        if r["status"] == "rejected"
    }
    rows = batch.rows_booked + batch.rows_failed
    main_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peaks_mb = [kb / 1024 for kb in report.worker_peak_rss_kb.values()]
    return {
        "rows": rows, "booked": batch.rows_booked, "bad_rows_reported": len(reported),
        "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds),
        "workers": report.workers,
        # Main process plus every worker (shared copy-on-write pages are counted in each).
        "peak_rss_mb": round(main_peak_mb + sum(worker_peaks_mb), 1),
        "main_peak_rss_mb": round(main_peak_mb, 1),
        "worker_peak_rss_mb": [round(mb, 1) for mb in worker_peaks_mb],
        "stage_cpu_s": {k: round(v, 3) for k, v in clock.seconds.items()},
        "stage_share": {k: round(v, 3) for k, v in clock.shares().items()},
        "main_cpu_s": round(main_cpu, 3),
        "planner": type(platform.booking.planner).__name__ if platform.booking.planner else None,
    }  # fmt: skip


def run(rows: int, workers: int | None, without_planner: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        csv_path = workdir / "parcels.csv"
        generated_bad = generate(csv_path, rows)
        command = [sys.executable, __file__, "--child", str(csv_path), str(workdir)]
        if workers is not None:
            command += ["--workers", str(workers)]
        if without_planner:
            command.append("--without-planner")
        output = subprocess.run(command, capture_output=True, text=True, check=False)
        if output.returncode != 0:
            raise SystemExit(f"the booking child failed:\n{output.stderr}")
        figures: dict[str, object] = json.loads(output.stdout.strip().splitlines()[-1])
        figures["bad_rows_generated"] = generated_bad
        figures["file_mb"] = round(csv_path.stat().st_size / 1e6, 1)
        return figures


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20k rows only")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: run_batch's choice)"
    )
    parser.add_argument(
        "--without-planner",
        action="store_true",
        help="diagnosis: book without the route planner (not the acceptance figure)",
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(
            json.dumps(
                child(Path(args.child[0]), Path(args.child[1]), args.workers, args.without_planner)
            )
        )
        return
    sizes = [args.rows] if args.rows else ([20_000] if args.quick else [20_000, 100_000])
    load_before = load_average()
    runs = [run(size, args.workers, args.without_planner) for size in sizes]
    main_run = runs[-1]
    result: dict[str, object] = {
        "rows": main_run["rows"], "rows_per_s": main_run["rows_per_s"],
        "peak_rss_mb": main_run["peak_rss_mb"], "bad_rows_reported": main_run["bad_rows_reported"],
        "bad_rows_generated": main_run["bad_rows_generated"], "seconds": main_run["seconds"],
        "workers": main_run["workers"], "stage_share": main_run["stage_share"],
        "planner": main_run["planner"], "load_average": [load_before, load_average()],
        "runs": runs,
    }  # fmt: skip
    if len(runs) > 1:
        first, last = float(runs[0]["peak_rss_mb"]), float(runs[-1]["peak_rss_mb"])  # type: ignore[arg-type]
        result["peak_rss_ratio_largest_vs_smallest"] = round(last / first, 2)
    if args.json:
        print(json.dumps(result))
        return
    print_table(runs, result)


def print_table(runs: list[dict[str, object]], result: dict[str, object]) -> None:
    print(f"{'rows':>8} {'file MB':>8} {'workers':>8} {'seconds':>8} {'rows/s':>8} "
          f"{'peak RSS MB':>12} {'main MB':>8} {'bad gen':>8} {'bad reported':>12}")  # fmt: skip
    for r in runs:
        print(f"{r['rows']:>8} {r['file_mb']:>8} {r['workers']:>8} {r['seconds']:>8} "
              f"{r['rows_per_s']:>8} {r['peak_rss_mb']:>12} {r['main_peak_rss_mb']:>8} "
              f"{r['bad_rows_generated']:>8} {r['bad_rows_reported']:>12}")  # fmt: skip
    largest = runs[-1]
    cpu: dict[str, float] = largest["stage_cpu_s"]  # type: ignore[assignment]
    total = sum(cpu.values()) or 1.0
    print("CPU seconds per stage, summed over the main process and its workers (largest run):")
    for stage, seconds in cpu.items():
        print(f"  {stage:<9} {seconds:>7.2f} s  {seconds / total:>4.0%}")
    print(f"  main process CPU {largest['main_cpu_s']} s of {largest['seconds']} s wall")
    print(f"worker peak RSS MB: {largest['worker_peak_rss_mb']}")
    print(f"route planner: {largest['planner']}; load average before/after: "
          f"{result['load_average']}")  # fmt: skip


if __name__ == "__main__":
    main()
