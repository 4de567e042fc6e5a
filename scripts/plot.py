"""Charts from a bench CSV report. Run through scripts/plot, which installs matplotlib."""
import csv
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LADDER = ["naive", "simd", "tiled", "packed", "openblas"]
COLOURS = {"naive": "#999999", "simd": "#8da0cb", "tiled": "#66c2a5", "packed": "#fc8d62", "openblas": "#4d4d4d"}


def load(path):
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    meta_path = path[:-4] + ".meta.json" if path.endswith(".csv") else path + ".meta.json"
    peaks = {}
    if os.path.exists(meta_path):
        with open(meta_path) as handle:
            meta = json.load(handle)
        peaks = {int(key.split("_")[1]): value for key, value in meta.get("measured_peak_gflops", {}).items()}
    return rows, peaks


def gemm_rows(rows):
    result = []
    for row in rows:
        if row["suite"] != "gemm" or not row["gflops"]:
            continue
        m, n, k = (int(x) for x in row["shape"].split("x"))
        result.append({**row, "m": m, "n": n, "k": k, "gflops": float(row["gflops"]), "threads": int(row["threads"])})
    return result


def square_chart(rows, peaks, out):
    squares = [r for r in gemm_rows(rows) if r["m"] == r["n"] == r["k"]]
    if not squares:
        return None
    fig, ax = plt.subplots(figsize=(11, 5.5))
    for variant in LADDER:
        for threads in sorted({r["threads"] for r in squares}):
            points = sorted((r["m"], r["gflops"]) for r in squares if r["variant"] == variant and r["threads"] == threads)
            if not points:
                continue
            style = "-" if threads == 1 else "--"
            ax.plot([p[0] for p in points], [p[1] for p in points], style, marker="o", color=COLOURS[variant],
                    label=f"{variant}, {threads} thread{'s' if threads > 1 else ''}")
    for threads, peak in sorted(peaks.items()):
        ax.axhline(peak, color="#d62728", linestyle="-" if threads == 1 else "--", linewidth=1)
        ax.text(ax.get_xlim()[0] if False else min(r["m"] for r in squares), peak, f" measured FMA peak, {threads} thread{'s' if threads > 1 else ''}: {peak:.0f}",
                va="bottom", fontsize=8, color="#d62728")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("M = N = K")
    ax.set_ylabel("GFLOPS (median)")
    ax.set_title("Single-precision GEMM, square sizes")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def ladder_chart(rows, peaks, shape, out):
    chosen = [r for r in gemm_rows(rows) if r["shape"] == shape]
    if not chosen:
        return None
    chosen.sort(key=lambda r: (LADDER.index(r["variant"]) if r["variant"] in LADDER else 9, r["threads"]))
    labels = [f"{r['variant']}\n{r['threads']} thr" for r in chosen]
    values = [r["gflops"] for r in chosen]
    fig, ax = plt.subplots(figsize=(9, 5))
    bars = ax.bar(labels, values, color=[COLOURS.get(r["variant"], "#cccccc") for r in chosen])
    for bar, value in zip(bars, values):
        ax.text(bar.get_x() + bar.get_width() / 2, value, f"{value:.1f}", ha="center", va="bottom", fontsize=8)
    for threads, peak in sorted(peaks.items()):
        ax.axhline(peak, color="#d62728", linestyle="-" if threads == 1 else "--", linewidth=1,
                   label=f"measured FMA peak, {threads} thread{'s' if threads > 1 else ''}")
    ax.set_ylabel("GFLOPS (median)")
    ax.set_title(f"From the tutorial loop to the packed kernel: GEMM {shape}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def dense_chart(rows, out):
    dense = [r for r in gemm_rows(rows) if not (r["m"] == r["n"] == r["k"]) and r["variant"] in ("packed", "openblas")]
    if not dense:
        return None
    shapes = []
    for r in dense:
        if r["shape"] not in shapes:
            shapes.append(r["shape"])
    fig, ax = plt.subplots(figsize=(11, 5))
    width = 0.2
    series = [("packed", 1), ("openblas", 1), ("packed", 2), ("openblas", 2)]
    for index, (variant, threads) in enumerate(series):
        values = [next((r["gflops"] for r in dense if r["shape"] == s and r["variant"] == variant and r["threads"] == threads), 0)
                  for s in shapes]
        ax.bar([x + (index - 1.5) * width for x in range(len(shapes))], values, width,
               color=COLOURS[variant], alpha=1.0 if threads == 1 else 0.55, label=f"{variant}, {threads} thread{'s' if threads > 1 else ''}")
    ax.set_xticks(range(len(shapes)))
    ax.set_xticklabels(shapes, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("GFLOPS (median)")
    ax.set_title("Dense-layer shapes (M = batch): packed against OpenBLAS")
    ax.legend(fontsize=8)
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def main(argv):
    if len(argv) < 2:
        print("usage: scripts/plot REPORT.csv [LADDER_SHAPE]")
        return 2
    path = argv[1]
    rows, peaks = load(path)
    stem = path[:-4] if path.endswith(".csv") else path
    shape = argv[2] if len(argv) > 2 else "1024x1024x1024"
    written = [square_chart(rows, peaks, stem + "-gemm-square.png"),
               ladder_chart(rows, peaks, shape, stem + "-gemm-ladder.png"),
               dense_chart(rows, stem + "-gemm-dense.png")]
    for out in written:
        if out:
            print(out)
    if not any(written):
        print(f"{path}: no GEMM rows to chart")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
