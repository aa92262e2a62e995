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

Usage: python3 bench/run.py [--sizes demo,2000x25,2000x25q,2000x250] [--runs 3]
A size may carry its own number of runs: --sizes demo:5,2000x25:3,2000x250:1

A size ending in `q` (2000x25q: 2,000 sites x 25 interviews) is a study with
coded transcripts (`crosscase demo --transcripts`: REFI-QDA projects in
`qualitative/`). DuckDB reads no transcripts, so its baseline is the same
study without `qualitative/`, run side by side (alternating, each run):
`validate` (which reads and checks every project, one at a time) and the
full synthesis, with and without transcripts, their time and peak memory and
the ratios; the transcripts part of the anonymise stage (read, redact whole,
cut) from the run ledger; reruns with nothing changed and after the late
site's export and project arrive. Against the largest project's and all
projects' unzipped size, the peak memory added by reading the projects
shows that memory is bounded by one project, not the whole study. It writes
the section "## Coded transcripts" of bench/results.md (kept when a run
measures no such size).

With --workbook-writers it measures instead the workbook stage written by
each of the workbook crate's writers (`fast`, `rust_xlsxwriter`,
`rust_xlsxwriter_low_memory`), side by side in one run of the synthesis on
the same tables, in builds with rust_xlsxwriter's `ryu` and `zlib` features
too (--builds), and writes its own section of bench/results.md:
    python3 bench/run.py --workbook-writers --sizes 200x250:3,2000x250:1
"""
import argparse
import csv
import os
import platform
import re
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
    transcripts = size.endswith("q")
    sites, per_site = size.rstrip("q").split("x")
    path = os.path.join(WORK, f"s{sites}x{per_site}" + ("q" if transcripts else ""))
    if not os.path.isfile(os.path.join(path, "study.toml")):
        extra = ["--transcripts"] if transcripts else []
        subprocess.run([BIN, "demo", "--out", path, "--sites", sites, "--per-site", per_site] + extra, check=True)
    return path


def interview_rows(study):
    """Rows of a study's interview exports."""
    return sum(
        max(0, sum(1 for _ in csv.reader(open(f, encoding="utf-8-sig"))) - 1)
        for f in __import__("glob").glob(os.path.join(study, "raw", "interviews", "*.csv"))
    )


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


QUALITATIVE_SECTION = "## Coded transcripts"


def ledger_part(out, name="transcripts"):
    """(seconds, resident MiB when it began) of the anonymise stage's transcripts part, last run."""
    import json
    try:
        with open(os.path.join(out, ".crosscase", "runs.jsonl")) as fh:
            last = [l for l in fh if l.strip()][-1]
        for stage in json.loads(last)["stages"]:
            for part in stage.get("parts", []):
                if part["part"] == name:
                    return part["seconds"], part.get("resident_mib")
    except (OSError, IndexError, KeyError, ValueError):
        pass
    return None, None


def project_sizes(study):
    """(projects, largest project's unzipped MiB, all projects' unzipped MiB, interviews with a transcript)."""
    import glob
    import zipfile
    sizes, sources = [], 0
    for path in sorted(glob.glob(os.path.join(study, "qualitative", "*.qdpx"))):
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            sizes.append(sum(i.file_size for i in infos) / 2**20)
            sources += sum(1 for i in infos if i.filename.lower().startswith("sources/"))
    return len(sizes), max(sizes, default=0.0), sum(sizes), sources


def qualitative_runs(size, study, runs):
    """The synthesis and validate with and without `qualitative/`, side by side."""
    without = os.path.join(WORK, "study-without-transcripts")
    shutil.rmtree(without, ignore_errors=True)
    shutil.copytree(study, without, ignore=lambda d, names: ["qualitative"] if d == study else [])
    shutil.rmtree(os.path.join(without, "late", "qualitative"), ignore_errors=True)
    got = {k: [] for k in ["validate", "validate_without", "full", "full_without", "unchanged", "late", "part", "late_part"]}
    for i in range(runs):
        # Alternate which goes first: what one leaves in the page cache helps the other.
        order = [("", study), ("_without", without)]
        if i % 2:
            order.reverse()
        for suffix, which in order:
            got["validate" + suffix].append(measure([BIN, "validate", "--study", which]))
        for suffix, which in order:
            copy = os.path.join(WORK, "study-copy" + suffix)
            out = os.path.join(WORK, "out" + suffix)
            shutil.rmtree(copy, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(which, copy)
            got["full" + suffix].append(measure([BIN, "run", PIPELINE, "--study", copy, "--out", out]))
            if suffix:
                continue
            got["part"].append(ledger_part(out))
            if got["full"][-1][2] != 0:
                continue
            got["unchanged"].append(measure([BIN, "run", PIPELINE, "--study", copy, "--out", out]))
            late = os.path.join(copy, "late")
            if os.path.isdir(late):
                for folder in ["raw", "qualitative"]:
                    if os.path.isdir(os.path.join(late, folder)):
                        shutil.copytree(os.path.join(late, folder), os.path.join(copy, folder), dirs_exist_ok=True)
                got["late"].append(measure([BIN, "run", PIPELINE, "--study", copy, "--out", out]))
                got["late_part"].append(ledger_part(out))
    return got


def qualitative_rows(size, interviews, runs, got, study):
    """Rows of the coded transcripts table and its notes."""
    projects, largest, total, sources = project_sizes(study)
    rows, notes = [], []

    def cell(pairs, i, digits):
        value = median(pairs, i)
        return "" if value is None else f"{value:.{digits}f}"

    def ratio(a, b, i):
        x, y = median(a, i), median(b, i)
        return f"{x / y:.2f}" if x and y else ""

    for name, base, label in [
        ("validate", "validate_without", "validate (reads and checks every project)"),
        ("full", "full_without", "full synthesis, from nothing"),
        ("unchanged", None, "rerun, nothing changed"),
        ("late", None, "rerun, the late site's export and project added"),
    ]:
        pairs = got[name]
        if not pairs:
            continue
        failed = [p for p in pairs if p[2] != 0]
        if failed and median(pairs, 0) is None:
            why = f"stopped after {failed[0][0]:.0f} s" if failed[0][2] is None else f"failed (exit {failed[0][2]})"
            rows.append(f"| {size} | {interviews} | {label} | {why} | | | | | |")
            continue
        b = got[base] if base else []
        rows.append(
            f"| {size} | {interviews} | {label} | {cell(pairs, 0, 3)} | {cell(pairs, 1, 0)} | "
            f"{cell(b, 0, 3) if b else ''} | {cell(b, 1, 0) if b else ''} | "
            f"{ratio(pairs, b, 0) if b else ''} | {ratio(pairs, b, 1) if b else ''} |"
        )
    parts = [p[0] for p in got["part"] if p[0] is not None]
    late_parts = [p[0] for p in got["late_part"] if p[0] is not None]
    read_mem = [(w[1] - wo[1]) for w, wo in zip(got["validate"], got["validate_without"]) if w[2] == 0 and wo[2] == 0]
    notes.append(
        f"- {size}: {projects} projects holding {sources} transcripts; unzipped, the largest project is "
        f"{largest:.1f} MiB and all of them {total:.0f} MiB"
    )
    if parts:
        notes.append(
            f"- {size}: the anonymise stage's transcripts part (read each project again, redact every transcript "
            f"whole, cut the segments) took {statistics.median(parts):.2f} s (median, from the run ledger)"
            + (f"; after the late site, {statistics.median(late_parts):.2f} s (its project redacted, every other "
               "read again, scanned for the late site's names and reused)" if late_parts else "")
        )
    if read_mem:
        notes.append(
            f"- {size}: reading and checking every project (`validate` with `qualitative/` less without) adds "
            f"{statistics.median(read_mem):.0f} MiB of peak memory (median); the largest project unzips to "
            f"{largest:.1f} MiB, all of them to {total:.0f} MiB"
        )
    if runs == 1:
        notes.append(
            f"- {size}: one run of each: the ratios of the totals carry the shared machine's noise (load average "
            "above); the transcripts part is timed inside the run"
        )
    return rows, notes


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


WRITERS = ["fast", "rust_xlsxwriter", "rust_xlsxwriter_low_memory"]
# Each build has the low-memory writer (it writes temporary files, so only a
# build for measuring has it); `ryu` and `zlib` are rust_xlsxwriter's
# features for faster numbers and deflate (zlib: the C library).
BUILDS = {
    "standard": ["workbook/low-memory"],
    "ryu": ["workbook/low-memory", "workbook/ryu"],
    "zlib": ["workbook/low-memory", "workbook/zlib"],
}
WORKBOOK_SECTION = "## Workbook writers"
PROGRESS = re.compile(r"\[\s*\d+/\d+\]\s+(\S+)")


def resident_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def measure_stages(cmd, env=None, timeout=None):
    """Run `crosscase run`; return (wall s, peak MiB, exit code, stages).

    `stages` is [(stage id, resident MiB when it began, peak resident MiB
    while it ran)]. The run ledger's `peak_mib` is the process's high-water
    mark after each stage, which hides a stage whose peak is below an
    earlier stage's; here the child's resident memory is sampled every few
    milliseconds, and a stage's samples are those taken between the
    progress line of the stage before it and its own.
    """
    timeout = TIMEOUT if timeout is None else timeout
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    fd = proc.stderr.fileno()
    os.set_blocking(fd, False)
    pending, stages = b"", []
    began = peak = None

    def lines(chunk):
        nonlocal pending, began, peak
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            m = PROGRESS.match(line.decode("utf-8", "replace"))
            if m:
                stages.append((m.group(1), (began or 0) / 1024.0, (peak or 0) / 1024.0))
                began = peak = None

    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            break
        rss = resident_kib(proc.pid)
        if rss is not None:
            began = rss if began is None else began
            peak = rss if peak is None else max(peak, rss)
        try:
            lines(os.read(fd, 1 << 16))
        except BlockingIOError:
            pass
        if time.perf_counter() - start > timeout:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            return time.perf_counter() - start, usage.ru_maxrss / 1024.0, None, stages
        time.sleep(0.005)
    wall = time.perf_counter() - start
    os.set_blocking(fd, True)
    lines(proc.stderr.read())
    return wall, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status), stages


def writers_pipeline(order, path):
    """The synthesis pipeline with its workbook stage once per writer, in `order`."""
    text = open(PIPELINE).read()
    blocks = text.split("[[stage]]")
    at = next(i for i, b in enumerate(blocks) if 'run = "report.workbook"' in b)
    workbook = blocks[at]
    copies = []
    for writer in order:
        block = re.sub(r'^id = ".*"$', f'id = "workbook_{writer}"', workbook, flags=re.M)
        block = re.sub(r'^file = ".*"$', f'file = "tables-{writer}.xlsx"\nwriter = "{writer}"', block, flags=re.M)
        copies.append(block)
    blocks[at:at + 1] = copies
    with open(path, "w") as fh:
        fh.write("[[stage]]".join(blocks))


def xml_parts(path, drop_spans=False):
    """Every part of a workbook, unzipped; optionally without rows' `spans`."""
    import zipfile
    with zipfile.ZipFile(path) as z:
        parts = [(n, z.read(n)) for n in z.namelist()]
    if drop_spans:
        parts = [(n, re.sub(rb' spans="[0-9:]+"', b"", x)) for n, x in parts]
    return parts


def build_variants(builds):
    """Build crosscase once per build; returns {build: binary or error}."""
    binaries = {}
    for name in builds:
        features = ",".join(BUILDS[name])
        print(f"== building crosscase with {features}", flush=True)
        done = subprocess.run(
            ["cargo", "build", "--release", "--quiet", "-p", "crosscase", "-p", "workbook", "--features", features],
            cwd=ROOT, capture_output=True, text=True,
        )
        if done.returncode != 0:
            binaries[name] = "build failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
            continue
        binary = os.path.join(WORK, f"crosscase-{name}")
        shutil.copy2(os.path.join(ROOT, "target", "release", "crosscase"), binary)
        binaries[name] = binary
    # Leave target/release/crosscase as `cargo build --release` makes it.
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return binaries


def writers_run(binary, order, study, env=None):
    """One synthesis with a workbook stage per writer; {writer: measures} or an error."""
    pipeline = os.path.join(WORK, "workbook-writers.toml")
    writers_pipeline(order, pipeline)
    out = os.path.join(WORK, "writers-out")
    shutil.rmtree(out, ignore_errors=True)
    wall, _, code, sampled = measure_stages([binary, "run", pipeline, "--study", study, "--out", out], env=env)
    if code != 0:
        return f"exit {code} after {wall:.0f} s"
    seconds = {stage: sec for stage, sec, _ in stage_seconds(out)}
    memory = {stage: (began, peak) for stage, began, peak in sampled}
    fast = os.path.join(out, "report", "tables-fast.xlsx")
    found = {}
    for writer in WRITERS:
        stage = f"workbook_{writer}"
        path = os.path.join(out, "report", f"tables-{writer}.xlsx")
        low = writer == "rust_xlsxwriter_low_memory"
        began, peak = memory.get(stage, (0.0, 0.0))
        found[writer] = {
            "seconds": seconds[stage],
            "ratio": seconds[stage] / seconds["workbook_fast"],
            "over": peak - began,
            "peak": peak,
            "bytes": os.path.getsize(path),
            "same": xml_parts(path, low) == xml_parts(fast, low),
        }
    return found


def workbook_writers(args):
    """Each writer's workbook stage, side by side on the same tables.

    Times come from runs with the allocator as it ships. Memory comes from
    runs of the standard build with mimalloc returning freed memory at once
    (MIMALLOC_PURGE_DELAY=0): otherwise a stage starts with what the one
    before freed still resident, and reuses it unseen.
    """
    builds = args.builds.split(",")
    binaries = build_variants(builds)
    load_before = load_average()
    rows, notes, decision = [], [], []
    for spec in args.sizes.split(","):
        size, _, runs = spec.partition(":")
        runs = int(runs) if runs else args.runs
        study = study_for(size)
        interviews = interview_rows(study)
        timed, memory = {}, {}  # (build, writer) / writer -> [measures]
        for run in range(runs):
            # A different order each run: what one writer leaves behind
            # (warm caches, freed memory) does not always favour the same one.
            order = WRITERS[run % len(WRITERS):] + WRITERS[:run % len(WRITERS)]
            passes = [(b, None) for b in builds]
            if "standard" in builds:
                passes.append(("standard", dict(os.environ, MIMALLOC_PURGE_DELAY="0")))
            for build, env in passes:
                if not os.path.isfile(binaries[build]):
                    continue
                what = "memory" if env else "time"
                print(f"== {size} run {run + 1}/{runs}, {build} build ({what}), order {' '.join(order)}", flush=True)
                found = writers_run(binaries[build], order, study, env)
                if isinstance(found, str):
                    notes.append(f"- {size}, {build} build ({what}), run {run + 1}: {found}")
                    continue
                for writer, m in found.items():
                    if env:
                        memory.setdefault(writer, []).append(m)
                    else:
                        timed.setdefault((build, writer), []).append(m)
        standard = timed.get(("standard", "fast"))
        standard = statistics.median([m["seconds"] for m in standard]) if standard else None

        def spread(values, digits=2):
            mid = f"{statistics.median(values):.{digits}f}"
            return mid if len(values) < 2 else f"{mid} ({min(values):.{digits}f}–{max(values):.{digits}f})"

        # The rule of issue 12: a rust_xlsxwriter path that comes within 1.5x
        # of the `fast` writer's time replaces it. Low-memory worksheets write
        # temporary files, which only `pipeline` may: listed apart.
        for low, what in [(False, "that write no temporary file"), (True, "that write temporary files")]:
            ratios = sorted(
                (statistics.median([m["ratio"] for m in got]), build, writer)
                for (build, writer), got in timed.items()
                if writer != "fast" and (writer == "rust_xlsxwriter_low_memory") == low
            )
            if ratios:
                ratio, build, writer = ratios[0]
                decision.append(f"- {size}: of the rust_xlsxwriter paths {what}, the closest to `fast` is {writer} "
                                f"({build} build), {ratio:.2f}× its time in the same runs (median)")
        for build in builds:
            if not os.path.isfile(binaries[build]):
                rows.append(f"| {size} | {interviews} | {build} | (not measured: {binaries[build]}) | | | | | | | |")
                continue
            for writer in WRITERS:
                got = timed.get((build, writer), [])
                if not got:
                    continue
                secs = [m["seconds"] for m in got]
                versus = f"{statistics.median(secs) / standard:.2f}" if standard else ""
                same = "yes" if all(m["same"] for m in got) else "no"
                if writer == "rust_xlsxwriter_low_memory" and same == "yes":
                    same = "yes, but rows' `spans`"
                mem = memory.get(writer, []) if build == "standard" else []
                over = spread([m["over"] for m in mem], 0) if mem else ""
                peak = spread([m["peak"] for m in mem], 0) if mem else ""
                rows.append(
                    f"| {size} | {interviews} | {build} | {writer} | {spread(secs)} | "
                    f"{spread([m['ratio'] for m in got])} | {versus} | {over} | {peak} | "
                    f"{got[-1]['bytes'] / 1e6:.1f} | {same} |"
                )
    section = [
        WORKBOOK_SECTION,
        "",
        f"Written by `just bench --workbook-writers` (bench/run.py) on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        f"Machine: {machine()}. Load average before: {' '.join(load_before)}; after: {' '.join(load_average())}",
        "(the machine is shared: other builds add noise).",
        f"Sizes and runs: {args.sizes}. Each run is one synthesis (`pipelines/synthesis.toml`) whose workbook",
        "stage runs once per writer on the same tables, in a different order each run. `wall s`: the stage's",
        "time in the run ledger, median (and range) over the runs; `vs fast`: its ratio to the `fast` writer's",
        "stage in the same run; `vs standard fast`: ratio of medians to the standard build's `fast` writer.",
        "Memory, from separate runs of the standard build with MIMALLOC_PURGE_DELAY=0 (freed memory returned",
        "at once, so a stage does not reuse what the one before left resident), resident memory sampled every",
        "5 ms: `MiB over start` is the stage's peak less the process's when it began, `peak MiB` the stage's",
        "peak (the process holds the clean study and every table meanwhile). `MB`: the workbook's size.",
        "`same bytes`: against the `fast` writer's workbook of the same run (low-memory: its XML, without the",
        "rows' optional `spans`; in the ryu build `fast` writes numbers as before, rust_xlsxwriter through ryu).",
        "",
        "| size | interviews | build | writer | wall s | vs fast | vs standard fast | MiB over start | peak MiB | MB | same bytes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ] + rows + [""] + decision + [""] + notes + ([""] if notes else [])
    results = os.path.join(ROOT, "bench", "results.md")
    text = open(results).read() if os.path.isfile(results) else "# Benchmark results\n"
    text = replace_section(text, WORKBOOK_SECTION, "\n".join(section))
    with open(results, "w") as fh:
        fh.write(text)
    print("\n".join(section))


# Issue 17's targets: (measurement, what it is compared with, limit, words).
# A limit is a ratio to the reference, or MiB / seconds when the reference
# is None.
TARGETS = [
    ("full", None, "mem", 1024.0, "peak memory of the full synthesis at most 1 GiB"),
    ("stats", None, "mem", 1024.0, "peak memory of the statistics path at most 1 GiB"),
    ("late", None, "mem", 1024.0, "peak memory of the late site's rerun at most 1 GiB"),
    ("stats", "duck", "wall", 0.5, "statistics path at most 0.5x DuckDB's statistics"),
    ("full", "duck", "wall", 2.0, "full synthesis at most 2x DuckDB's statistics"),
    ("late", "full", "wall", 0.10, "late site's rerun at most 10% of the full synthesis from nothing"),
    ("unchanged", None, "wall", 0.5, "nothing-changed rerun under 0.5 s"),
]


def targets(headline):
    """Issue 17's targets for the largest size measured: figure, limit, met or missed and by how much."""
    if not headline:
        return []
    size = max(headline, key=lambda s: 0 if s == "demo" else int(s.split("x")[0]) * int(s.split("x")[1]))
    got = headline[size]
    rows = [
        f"At {size} (the largest size of this run), medians of this run only; DuckDB in the same run.",
        "",
        "| target | figure | limit | met | by |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, reference, what, limit, words in TARGETS:
        if name not in got or (reference and reference not in got):
            rows.append(f"| {words} | not measured | | | |")
            continue
        value = got[name][0 if what == "wall" else 1]
        if value is None:
            rows.append(f"| {words} | failed | | missed | |")
            continue
        if reference:
            base = got[reference][0]
            figure = value / base
            shown = f"{figure:.2f}x ({value:.1f} s against {base:.1f} s)"
            limit_shown = f"{limit:.2f}x"
        else:
            figure = value
            unit = "MiB" if what == "mem" else "s"
            shown = f"{value:.0f} {unit}" if what == "mem" else f"{value:.2f} {unit}"
            limit_shown = f"{limit:.0f} MiB" if what == "mem" else f"{limit:.2f} s"
        met = figure <= limit
        by = f"{figure / limit:.2f}x the limit"
        rows.append(f"| {words} | {shown} | {limit_shown} | {'met' if met else 'missed'} | {by} |")
    return rows


def replace_section(text, heading, section):
    """`text` with its `heading` section (to the next `## ` or the end) replaced by `section`, or appended."""
    start = text.find(heading + "\n")
    if start < 0:
        return text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    end = text.find("\n## ", start + len(heading))
    end = len(text) if end < 0 else end + 1
    return text[:start] + section.rstrip("\n") + "\n" + ("\n" + text[end:] if end < len(text) else "")


def main():
    global TIMEOUT
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="demo,2000x25,2000x25q,2000x250")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=TIMEOUT, help="seconds before one run is stopped")
    parser.add_argument("--workbook-writers", action="store_true",
                        help="measure the workbook stage by each writer instead (its own section of results.md)")
    parser.add_argument("--builds", default=",".join(BUILDS),
                        help="with --workbook-writers: builds to measure (" + ", ".join(BUILDS) + ")")
    args = parser.parse_args()
    TIMEOUT = args.timeout
    os.makedirs(WORK, exist_ok=True)
    if args.workbook_writers:
        workbook_writers(args)
        return
    # Measure a private copy of the binary: the shared target/ may be rebuilt
    # by someone else during a long benchmark.
    global BIN
    private = os.path.join(WORK, "crosscase")
    shutil.copy2(BIN, private)
    BIN = private
    duck_version = None
    try:
        import duckdb  # noqa: F401
        duck_version = duckdb.__version__
    except ImportError:
        # Sizes with transcripts are measured against themselves without them.
        if not all(spec.partition(":")[0].endswith("q") for spec in args.sizes.split(",")):
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
    qualitative_table, qualitative_notes = [], []
    for spec in args.sizes.split(","):
        size, _, runs = spec.partition(":")
        runs = int(runs) if runs else args.runs
        study = study_for(size)
        interviews = interview_rows(study)
        print(f"== {size}: {interviews} interview rows, {runs} run(s)", flush=True)
        if size.endswith("q"):
            got = qualitative_runs(size, study, runs)
            rows, notes = qualitative_rows(size, interviews, runs, got, study)
            qualitative_table += rows
            qualitative_notes += notes
            print("\n".join(rows + notes), flush=True)
            continue
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
    target_lines = targets(headline)
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
        "## Targets (issue 17), met or missed",
        "",
    ] + target_lines + [
        "",
        "## Where the time and memory go (per stage)",
        "",
    ] + stages + [
        "",
        "## Agreement between crosscase and DuckDB",
        "",
    ] + agreement + [""]
    if qualitative_table:
        lines += [
            QUALITATIVE_SECTION,
            "",
            f"Written by `just bench` (bench/run.py) on {started}. Machine: {machine()}.",
            f"Load average before: {' '.join(load_before)}; after: {' '.join(load_average())} (the machine is shared: other builds add noise).",
            "Studies with coded transcripts (`crosscase demo --sites N --per-site M --transcripts`: REFI-QDA",
            "projects of at most 20 sites each, NVivo and ATLAS.ti style) beside the same study without",
            "`qualitative/`, run alternately; medians; wall time in seconds, peak memory (ru_maxrss) in MiB.",
            "",
            "| size | interviews | measurement | wall s | peak MiB | without: wall s | without: peak MiB | wall vs without | memory vs without |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ] + qualitative_table + [""] + qualitative_notes + [""]
    results = os.path.join(ROOT, "bench", "results.md")
    text = "\n".join(lines) + "\n"
    previous = open(results, encoding="utf-8").read() if os.path.isfile(results) else ""
    if not headline and previous:
        # Only sizes with transcripts: the other sections stay as they were.
        text = replace_section(previous, QUALITATIVE_SECTION, "\n".join(lines[lines.index(QUALITATIVE_SECTION):]))
        with open(results, "w", encoding="utf-8") as fh:
            fh.write(text)
        return
    # Sections this run does not write are kept: the workbook writers'
    # (written by --workbook-writers), the coded transcripts' when this run
    # measured no size with them, and the side-by-side measurements of a
    # change, written by hand ("## Before and after ...").
    # Any other section this run does not write is kept too (a helper's
    # measured section, such as "## Stages after anonymise ...").
    written = {line for line in lines if line.startswith("## ")}
    for section in previous.split("\n## ")[1:]:
        heading = "## " + section.split("\n", 1)[0]
        if heading not in written:
            text = replace_section(text, heading, "## " + section)
    with open(results, "w", encoding="utf-8") as fh:
        fh.write(text)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
