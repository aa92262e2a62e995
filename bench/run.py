#!/usr/bin/env python3
"""crosscase benchmark, side by side with DuckDB (`just bench`).

For each study size it measures, over several runs (medians), wall time and
peak memory (the child's ru_maxrss, as the operating system reports it) of:

- crosscase, full synthesis from nothing;
- crosscase, a rerun with nothing changed;
- crosscase, a rerun after one site's export is added (the study's `late/`);
- crosscase, the statistics path alone (bench/stats.toml: raw exports to
  ratings_summary for study, site and group scopes and top3_frequency);
- DuckDB, the same statistics from the same raw CSV exports, with the same
  treatment of missing codes (-98, -99 and empty are not ratings), the same
  withdrawals (scope `all` excluded) and one row per record.

It checks that DuckDB and crosscase agree on every published value and
writes bench/results.md with the machine's description. Studies are
generated with `crosscase demo` into target/bench/ (not committed).

Usage: python3 bench/run.py [--sizes demo,2000x25,2000x250] [--runs 3]
A size may carry its own number of runs: --sizes demo:5,2000x25:3,2000x250:1
"""
import argparse
import csv
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "crosscase")
WORK = os.path.join(ROOT, "target", "bench")
PIPELINE = os.path.join(ROOT, "pipelines", "synthesis.toml")
STATS = os.path.join(ROOT, "bench", "stats.toml")
TIMEOUT = 1800  # seconds for one run; a run that takes longer is reported as such


def measure(cmd, env=None, timeout=None):
    """Run a command; return (wall seconds, peak RSS in MiB, exit code).

    Peak memory is the child's ru_maxrss from wait4, as the kernel reports
    it. A run still going after `timeout` seconds is killed and reported
    with exit code None.
    """
    timeout = TIMEOUT if timeout is None else timeout
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            break
        if time.perf_counter() - start > timeout:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            return time.perf_counter() - start, usage.ru_maxrss / 1024.0, None
        time.sleep(0.01)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)


def stage_seconds(out):
    """Per-stage seconds of the last run in an output folder (its run ledger)."""
    import json
    try:
        with open(os.path.join(out, ".crosscase", "runs.jsonl")) as fh:
            last = [l for l in fh if l.strip()][-1]
        return [(s["stage"], s["seconds"], s.get("peak_mib")) for s in json.loads(last)["stages"] if s["ran"]]
    except (OSError, IndexError, KeyError, ValueError):
        return []


def study_for(size):
    if size == "demo":
        return os.path.join(ROOT, "data", "demo")
    sites, per_site = size.split("x")
    path = os.path.join(WORK, f"s{sites}x{per_site}")
    if not os.path.isfile(os.path.join(path, "study.toml")):
        subprocess.run([BIN, "demo", "--out", path, "--sites", sites, "--per-site", per_site], check=True)
    return path


def crosscase_runs(study, runs):
    """Medians of full run, no-change rerun and late-site rerun."""
    results = {"full": [], "unchanged": [], "late": [], "stats": [], "stages": {}}
    for i in range(runs):
        copy = os.path.join(WORK, "study-copy")
        out = os.path.join(WORK, "out")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(study, copy)
        results["full"].append(measure([BIN, "run", PIPELINE, "--study", copy, "--out", out]))
        results["stages"]["full"] = stage_seconds(out)
        if results["full"][-1][2] != 0:
            # A failed or timed-out synthesis has nothing to rerun.
            results["stages"]["full"] = results["stages"]["full"] or []
            stats_out = os.path.join(WORK, "stats-out")
            shutil.rmtree(stats_out, ignore_errors=True)
            results["stats"].append(measure([BIN, "run", STATS, "--study", study, "--out", stats_out]))
            results["stages"]["stats"] = stage_seconds(stats_out)
            continue
        results["unchanged"].append(measure([BIN, "run", PIPELINE, "--study", copy, "--out", out]))
        late = os.path.join(copy, "late", "raw")
        if os.path.isdir(late):
            shutil.copytree(late, os.path.join(copy, "raw"), dirs_exist_ok=True)
            results["late"].append(measure([BIN, "run", PIPELINE, "--study", copy, "--out", out]))
        stats_out = os.path.join(WORK, "stats-out")
        shutil.rmtree(stats_out, ignore_errors=True)
        results["stats"].append(measure([BIN, "run", STATS, "--study", study, "--out", stats_out]))
        results["stages"]["stats"] = stage_seconds(stats_out)
    return results


DUCKDB_SCRIPT = r'''
import csv, glob, json, os, sys, duckdb
study, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("PRAGMA threads=2")
files = sorted(glob.glob(os.path.join(study, "raw", "interviews", "*.csv")))
header = next(csv.reader(open(files[0], encoding="utf-8-sig")))
imp = [c for c in header if c.startswith("imp_")]
cols = ["record_id", "site_id", "stakeholder_group"] + imp + ["top_1", "top_2", "top_3"]
select = ", ".join(f'"{c}"' for c in cols)
con.execute(f"""CREATE TABLE raw AS SELECT {select} FROM read_csv({files!r}, header=true, all_varchar=true, union_by_name=true)""")
con.execute("""CREATE TABLE rec AS SELECT * FROM raw QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY record_id) = 1""")
con.execute(f"""CREATE TABLE withdrawn AS SELECT record_id FROM read_csv('{os.path.join(study, "withdrawals.csv")}', header=true, all_varchar=true) WHERE scope = 'all'""")
con.execute(f"""CREATE TABLE sites AS SELECT site_id, label FROM read_csv('{os.path.join(study, "sites.csv")}', header=true, all_varchar=true)""")
con.execute("""CREATE TABLE people AS SELECT r.*, s.label AS site FROM rec r JOIN sites s USING (site_id) WHERE record_id NOT IN (SELECT record_id FROM withdrawn)""")
groups = {"1": "peer_worker", "2": "professional", "3": "service_user", "4": "team_manager", "5": "senior_manager"}
unpivot = " UNION ALL ".join(f"""SELECT site, stakeholder_group AS g, '{c[4:]}' AS factor, TRY_CAST("{c}" AS INTEGER) AS rating FROM people""" for c in imp)
con.execute(f"CREATE TABLE ratings AS SELECT * FROM ({unpivot}) WHERE rating BETWEEN 1 AND 5")
stats = "count(*) AS n, avg(rating) AS mean, stddev_samp(rating) AS sd, quantile_cont(rating, 0.5) AS median, quantile_cont(rating, 0.25) AS q1, quantile_cont(rating, 0.75) AS q3, 100.0 * avg(CASE WHEN rating >= 4 THEN 1 ELSE 0 END) AS pct_high"
out_rows = []
for scope, key in [("study", "NULL"), ("site", "site"), ("group", "g")]:
    group_by = "" if key == "NULL" else f"GROUP BY {key}, factor"
    if key == "NULL":
        group_by = "GROUP BY factor"
    for row in con.execute(f"SELECT '{scope}', {key} AS k, factor, {stats} FROM ratings {group_by}").fetchall():
        out_rows.append(["ratings", row[0], groups.get(row[1], row[1]) if scope == "group" else row[1], row[2]] + list(row[3:]))
picks = " UNION ALL ".join(f"SELECT record_id, site, stakeholder_group AS g, top_{k} AS factor, {k} AS rank FROM people WHERE top_{k} IS NOT NULL AND top_{k} <> ''" for k in (1, 2, 3))
con.execute(f"CREATE TABLE picks AS {picks}")
for scope, key in [("study", "NULL"), ("site", "site"), ("group", "g")]:
    group_by = "GROUP BY factor" if key == "NULL" else f"GROUP BY {key}, factor"
    sql = f"""SELECT '{scope}', {key} AS k, factor, count(*) AS mentions, sum((rank=1)::INT), sum((rank=2)::INT),
             sum((rank=3)::INT), sum(4 - rank) AS score FROM picks {group_by}"""
    resp = dict(con.execute(f"SELECT {key if key != 'NULL' else repr('all')}, count(DISTINCT record_id) FROM picks {'' if key == 'NULL' else 'GROUP BY ' + key}").fetchall())
    for row in con.execute(sql).fetchall():
        k = row[1] if key != "NULL" else "all"
        out_rows.append(["top3", row[0], groups.get(row[1], row[1]) if scope == "group" else row[1], row[2], resp[k]] + list(row[3:]))
with open(out, "w", newline="") as fh:
    csv.writer(fh).writerows(out_rows)
'''


def duckdb_runs(study, runs):
    script = os.path.join(WORK, "duckdb_stats.py")
    with open(script, "w") as fh:
        fh.write(DUCKDB_SCRIPT)
    out = os.path.join(WORK, "duckdb.csv")
    return [measure([sys.executable, script, study, out]) for _ in range(runs)], out


def agree(duck_csv, stats_out, min_cell):
    """Compare every DuckDB value with crosscase's published tables."""
    def table(name):
        with open(os.path.join(stats_out, "tables", f"{name}.csv"), newline="") as fh:
            return list(csv.DictReader(fh))
    ours = {}
    for r in table("ratings_summary"):
        key = ("ratings", r["scope"], r["site"] or r["group"] or None, r["factor"])
        ours[key] = r
    for r in table("top3_frequency"):
        ours[("top3", r["scope"], r["site"] or r["group"] or None, r["factor"])] = r
    compared = mismatches = 0
    notes = []
    with open(duck_csv, newline="") as fh:
        for row in csv.reader(fh):
            kind, scope, key, factor = row[0], row[1], row[2] or None, row[3]
            mine = ours.get((kind, scope, key, factor))
            if mine is None:
                mismatches += 1
                notes.append(f"missing in crosscase: {kind} {scope} {key} {factor}")
                continue
            if mine["suppressed"] == "true":
                continue  # crosscase publishes no value for this cell
            if kind == "ratings":
                names = ["n", "mean", "sd", "median", "q1", "q3", "pct_high"]
                values = row[4:]
            else:
                names = ["respondents", "mentions", "first", "second", "third", "score"]
                values = row[4:]
            for name, value in zip(names, values):
                compared += 1
                a = float(mine[name]) if mine[name] != "" else None
                b = float(value) if value not in ("", "None") else None
                if (a is None) != (b is None) or (a is not None and abs(a - b) > 1e-9 * max(1.0, abs(b))):
                    mismatches += 1
                    if len(notes) < 10:
                        notes.append(f"{kind} {scope} {key} {factor} {name}: crosscase {a}, DuckDB {b}")
    return compared, mismatches, notes


def median(pairs, i):
    values = [p[i] for p in pairs if p[2] == 0]
    return statistics.median(values) if values else None


def machine():
    model = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        kb = int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} cores, {mem} memory, {platform.system()} {platform.release()}"


def load_average():
    try:
        return open("/proc/loadavg").read().split()[:3]
    except OSError:
        return ["?", "?", "?"]


def main():
    global TIMEOUT
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="demo,2000x25,2000x250")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=TIMEOUT, help="seconds before one run is stopped")
    args = parser.parse_args()
    TIMEOUT = args.timeout
    os.makedirs(WORK, exist_ok=True)
    # Measure a private copy of the binary: the shared target/ may be rebuilt
    # by someone else during a long benchmark.
    global BIN
    private = os.path.join(WORK, "crosscase")
    shutil.copy2(BIN, private)
    BIN = private
    try:
        import duckdb  # noqa: F401
        duck_version = duckdb.__version__
    except ImportError:
        sys.exit("duckdb is not installed: `pip install duckdb` (the `bench` recipe does this)")
    load_before = load_average()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    table = [
        "| size | interviews | measurement | wall s | peak MiB | wall vs DuckDB | memory vs DuckDB |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    agreement = []
    stages = []
    headline = {}
    for spec in args.sizes.split(","):
        size, _, runs = spec.partition(":")
        runs = int(runs) if runs else args.runs
        study = study_for(size)
        interviews = sum(
            max(0, sum(1 for _ in csv.reader(open(f, encoding="utf-8-sig"))) - 1)
            for f in __import__("glob").glob(os.path.join(study, "raw", "interviews", "*.csv"))
        )
        print(f"== {size}: {interviews} interview rows, {runs} run(s)", flush=True)
        ours = crosscase_runs(study, runs)
        duck, duck_csv = duckdb_runs(study, runs)
        d_wall, d_mem = median(duck, 0), median(duck, 1)
        headline[size] = {"duck": (d_wall, d_mem)}
        for name, label in [("full", "crosscase full synthesis, from nothing"), ("unchanged", "crosscase rerun, nothing changed"),
                            ("late", "crosscase rerun, one site added"), ("stats", "crosscase statistics path")]:
            pairs = ours[name]
            if not pairs:
                continue
            wall, mem = median(pairs, 0), median(pairs, 1)
            headline[size][name] = (wall, mem)
            failed = [p for p in pairs if p[2] != 0]
            if wall is None:
                why = f"stopped after {failed[0][0]:.0f} s" if failed[0][2] is None else f"failed (exit {failed[0][2]})"
                table.append(f"| {size} | {interviews} | {label} | {why} | {failed[0][1]:.0f} | | |")
                continue
            n_ok = len(pairs) - len(failed)
            ratio = f"{wall / d_wall:.2f}" if d_wall else ""
            mratio = f"{mem / d_mem:.2f}" if d_mem else ""
            runs_note = "" if n_ok == runs else f" ({n_ok} of {runs} runs)"
            table.append(f"| {size} | {interviews} | {label}{runs_note} | {wall:.3f} | {mem:.0f} | {ratio} | {mratio} |")
        table.append(f"| {size} | {interviews} | DuckDB statistics | {d_wall:.3f} | {d_mem:.0f} | 1.00 | 1.00 |")
        compared, mismatches, notes = agree(duck_csv, os.path.join(WORK, "stats-out"), 3)
        agreement.append(f"- {size}: {compared} values compared, {mismatches} disagreements" + ("" if not notes else ": " + "; ".join(notes)))
        for which, label in [("stats", "statistics path"), ("full", "full synthesis")]:
            breakdown = ours["stages"].get(which)
            if breakdown:
                parts = ", ".join(f"{stage} {sec:.2f}" for stage, sec, _ in sorted(breakdown, key=lambda x: -x[1]) if sec >= 0.005)
                stages.append(f"- {size}, {label} (last run, from the run ledger): {parts}")
                # Peak memory after each stage, in run order: where the peak rises.
                peaks = [(stage, peak) for stage, _, peak in breakdown if peak is not None]
                rises, last = [], 0.0
                for stage, peak in peaks:
                    if peak > last + 1:
                        rises.append(f"{stage} {peak:.0f}")
                    last = max(last, peak)
                if rises:
                    stages.append(f"  peak MiB after each stage that raised it: {', '.join(rises)}")
    lines = [
        "# Benchmark results",
        "",
        f"Written by `just bench` (bench/run.py) on {started}.",
        f"Machine: {machine()}. DuckDB {duck_version} (2 threads). crosscase release build.",
        f"Load average before: {' '.join(load_before)}; after: {' '.join(load_average())} (the machine is shared: other builds add noise).",
        f"Runs per measurement: {args.sizes} (default {args.runs}); medians; wall time in seconds, peak memory",
        "(the child's ru_maxrss from wait4) in MiB. `statistics path` is the like-for-like path: raw exports to",
        "ratings_summary (study, site, group) and top3_frequency, with validation, pseudonymisation and the",
        "leak guard (bench/stats.toml). DuckDB reads the same raw CSV exports (only the needed columns).",
        "",
    ] + table + [
        "",
        "## Where the time and memory go (per stage)",
        "",
    ] + stages + [
        "",
        "## Agreement between crosscase and DuckDB",
        "",
    ] + agreement + [""]
    # Side-by-side measurements of a change, written by hand (the sections
    # from the first "## Before and after" on), are kept.
    path = os.path.join(ROOT, "bench", "results.md")
    kept = ""
    if os.path.exists(path):
        old = open(path, encoding="utf-8").read()
        at = old.find("\n## Before and after")
        if at >= 0:
            kept = old[at + 1:]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n" + ("\n" + kept if kept else ""))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
