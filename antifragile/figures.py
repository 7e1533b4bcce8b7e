"""The run's figures: payoff heat map, equilibrium mixes and worst-case equity curves."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

__all__ = ["payoff_heatmap", "equilibrium_mix", "equity_under_attack", "holdout_equity", "radius_curves",
           "detector_timeline"]


def payoff_heatmap(utility: pd.DataFrame, row_strategy, col_strategy, title: str):
    """Heat map of the utility matrix, equilibrium rows and columns marked with their weights."""
    height = 2.0 + 0.28 * utility.shape[0]
    width = 4.0 + 0.28 * utility.shape[1]
    fig, ax = plt.subplots(figsize=(min(width, 22), min(height, 14)))
    limit = np.abs(utility.to_numpy()).max() or 1.0
    image = ax.imshow(utility.to_numpy(), cmap="RdYlGn", vmin=-limit, vmax=limit, aspect="auto")
    if utility.shape[1] <= 60:
        ax.set_xticks(range(utility.shape[1]), [_mark(c, w) for c, w in zip(utility.columns, col_strategy)],
                      rotation=90, fontsize=7)
    else:  # a library of hundreds of scenarios: mark only the binding ones
        binding = [j for j, w in enumerate(col_strategy) if w > 1e-6]
        ax.set_xticks(binding, [_mark(utility.columns[j], col_strategy[j]) for j in binding], rotation=90, fontsize=7)
        ax.set_xlabel(f"{utility.shape[1]} scenarios (binding ones labelled)")
    ax.set_yticks(range(utility.shape[0]), [_mark(r, w) for r, w in zip(utility.index, row_strategy)], fontsize=7)
    ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax, label="utility (trader)")
    fig.tight_layout()
    return fig


def _mark(label: str, weight: float) -> str:
    return f"{label} [{weight:.2f}]" if weight > 1e-6 else label


def equilibrium_mix(row_support: dict[str, float], col_support: dict[str, float]):
    """Bar charts of the trader's and the attacker's equilibrium probabilities."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.6 + 0.35 * max(len(row_support), len(col_support), 3)))
    for ax, support, title, color in (
        (axes[0], row_support, "trader: robust strategy mix", "tab:green"),
        (axes[1], col_support, "attacker: binding attacks", "tab:red"),
    ):
        labels = list(support)[::-1]
        ax.barh(labels, [support[k] for k in labels], color=color)
        ax.set_xlim(0, 1)
        ax.set_xlabel("probability")
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    return fig


def equity_under_attack(curves: dict[str, np.ndarray], scenario: str, budget: float):
    """Median and 5 % quantile wealth of each strategy under one attack scenario.

    ``curves`` maps a strategy name to wealth of shape (n_paths, n_steps + 1).
    """
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for name, wealth in curves.items():
        steps = np.arange(wealth.shape[1])
        median = np.median(wealth, axis=0)
        line, = ax.plot(steps, median, label=f"{name} (median)")
        ax.fill_between(steps, np.quantile(wealth, 0.05, axis=0), median, color=line.get_color(), alpha=0.15)
        ax.plot(steps, wealth[np.argmin(wealth.min(axis=1))], color=line.get_color(), lw=0.8, ls=":")
    ax.axhline(1.0 - budget, color="k", lw=0.8, ls="--", label=f"drawdown budget {budget:.0%} from start")
    ax.set_xlabel("trading day")
    ax.set_ylabel("wealth")
    ax.set_title(f"Equity under the binding attack {scenario}: median, 5% band, worst path (dotted)", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def holdout_equity(curves: pd.DataFrame):
    """Wealth of strategies on the held-out real history (columns are strategies)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, height_ratios=[2, 1])
    for name in curves.columns:
        top.plot(curves.index, curves[name], label=name)
        bottom.plot(curves.index, curves[name] / curves[name].cummax() - 1.0, label=name)
    top.set_ylabel("wealth")
    top.set_title("Held-out history (never seen by calibration or the game)", fontsize=10)
    top.legend(fontsize=7)
    bottom.set_ylabel("drawdown")
    fig.tight_layout()
    return fig


def radius_curves(rows: list[dict], budget: float):
    """Worst drawdown against the perturbation budget, one curve per strategy at its limit."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for row in rows:
        curve = row["radius_curve"]
        ax.plot(curve["budget"], curve["worst_drawdown"], marker="o", label=f"{row['strategy']} x{row['exposure_multiple']:.2f}")
    ax.axhline(budget, color="k", ls="--", lw=0.8, label=f"drawdown budget {budget:.0%}")
    ax.set_xlabel("perturbation budget (max change of a daily log return)")
    ax.set_ylabel("worst drawdown over the paths")
    ax.set_title("Certified radius: where each curve crosses the budget", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def detector_timeline(prices: np.ndarray, frame: pd.DataFrame, onset: int, title: str):
    """Price, statistic scores and alarms of the detector on one attacked tick stream."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5), sharex=True, height_ratios=[1, 1])
    ticks = np.arange(prices.size)
    top.plot(ticks, prices, lw=0.8, color="tab:blue")
    flagged = frame["flag"].to_numpy()
    top.scatter(ticks[flagged], prices[flagged], color="tab:red", s=8, label="alarm", zorder=3)
    top.axvline(onset, color="k", ls="--", lw=0.8, label="attack onset")
    top.set_ylabel("price")
    top.legend(fontsize=7)
    top.set_title(title, fontsize=10)
    for column in frame.filter(like="score_"):
        bottom.plot(ticks, frame[column], lw=0.8, label=column.removeprefix("score_"))
    bottom.axvline(onset, color="k", ls="--", lw=0.8)
    bottom.set_ylabel("statistic / threshold")
    bottom.set_xlabel("tick (one second of market time)")
    bottom.legend(fontsize=7)
    fig.tight_layout()
    return fig
