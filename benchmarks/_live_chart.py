"""live_traffic.py's chart: every operation's wait over time, naive against ours, phases marked.

One column per database, one row per change and side (naive above ours). x: seconds since the
old code started; y: the operation's wait (log scale); errors in red. Shaded: the migration
commands (pre, post; naive: the one migration) and the deploy (the new code starting, both
running, the old one stopping); hatched: the long transaction.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

PHASE_COLOURS = {"pre": "#4c72b0", "post": "#dd8452", "migration": "#c44e52", "deploy": "#55a868"}
CODE_COLOURS = {"old": "#7f7f7f", "new": "#8172b3"}
NAMES = {"postgresql": "PostgreSQL", "mysql": "MariaDB"}


def _panel(axes, run: dict, records: list, title: str, goal: float) -> None:
    for phase in run["phases"]:
        colour = PHASE_COLOURS[phase["phase"]]
        axes.axvspan(phase["start"], phase["end"], color=colour, alpha=0.15, linewidth=0)
        axes.text(
            (phase["start"] + phase["end"]) / 2,
            0.97,
            phase["phase"],
            ha="center",
            va="top",
            fontsize=8,
            color=colour,
            transform=axes.get_xaxis_transform(),
        )
        if phase.get("failed"):
            axes.text(
                phase["end"],
                0.80,
                " migration failed",
                ha="left",
                va="top",
                fontsize=8,
                color="#d62728",
                transform=axes.get_xaxis_transform(),
            )
        if "held" in phase:
            axes.axvspan(
                *phase["held"], ymin=0.0, ymax=0.04, facecolor="none", edgecolor="#333333", hatch="////"
            )
    for code, colour in CODE_COLOURS.items():
        ok = [(r[0], r[1] * 1000) for r in records if r[4] == code and r[3] is None]
        if ok:
            axes.scatter(*zip(*ok, strict=True), s=3, color=colour, alpha=0.5, linewidths=0, rasterized=True)
    failed = [(r[0], r[1] * 1000) for r in records if r[3] is not None]
    if failed:
        axes.scatter(
            *zip(*failed, strict=True), s=10, color="#d62728", marker="x", linewidths=0.8, rasterized=True
        )
    axes.axhline(goal * 1000, color="#d62728", linestyle="--", linewidth=0.8)
    axes.set_yscale("log")
    axes.set_ylim(0.3, 20_000)
    axes.set_title(title, fontsize=9, loc="left")
    axes.grid(True, axis="y", which="major", alpha=0.3)
    axes.tick_params(labelsize=8)


def draw(results: dict, path: Path, goal: float, figures, traffic) -> None:
    """`figures(run)`, `traffic(run)`: the same figures and records as the table."""
    backends = list(dict.fromkeys(backend for backend, _ in results))
    scenarios = list(dict.fromkeys(scenario for _, scenario in results))
    rows = [(scenario, side) for scenario in scenarios for side in ("naive", "ours")]
    figure, grid = plt.subplots(
        len(rows), len(backends), figsize=(6.5 * len(backends), 2.3 * len(rows) + 0.9), squeeze=False
    )
    for column, backend in enumerate(backends):
        for row, (scenario, side) in enumerate(rows):
            run = results[(backend, scenario)][side]
            found = figures(run)
            title = (
                f"{NAMES[backend]}, {scenario}, {side}: {found['errors']} errors, "
                f"longest {found['longest'] * 1000:,.0f} ms, p99 {found['p99'] * 1000:,.0f} ms"
                + (", MIGRATION FAILED" if found["failed"] else "")
            )
            _panel(grid[row][column], run, traffic(run), title, goal)
            if column == 0:
                grid[row][column].set_ylabel("wait (ms)", fontsize=8)
            if row == len(rows) - 1:
                grid[row][column].set_xlabel("seconds since the old code started", fontsize=8)
    legend = [
        Line2D([], [], marker="o", linestyle="", color=CODE_COLOURS["old"], label="old code's operation"),
        Line2D([], [], marker="o", linestyle="", color=CODE_COLOURS["new"], label="new code's operation"),
        Line2D([], [], marker="x", linestyle="", color="#d62728", label="error"),
        Line2D([], [], linestyle="--", color="#d62728", label=f"goal {goal * 1000:.0f} ms"),
        *(Patch(color=colour, alpha=0.3, label=phase) for phase, colour in PHASE_COLOURS.items()),
        Patch(facecolor="none", edgecolor="#333333", hatch="////", label="long transaction"),
    ]
    figure.legend(handles=legend, loc="upper center", ncol=5, fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, 0, 1, 1 - 0.6 / (2.3 * len(rows) + 0.9)))
    figure.savefig(path, dpi=110)
    plt.close(figure)
