"""Write the evaluation as Markdown tables, JSON and a per-type bar chart."""

from __future__ import annotations

import json
from pathlib import Path

from .runner import SYSTEMS, Outcome, failures, to_json

METRICS = ("hit@1", "hit@5", "mrr", "key_fact_recall", "refusal_accuracy", "false_refusal_rate",
           "citation_accuracy", "number_grounding", "latency_p50_ms", "latency_p95_ms")  # fmt: skip
LABELS = {"pipeline": "full pipeline", "dense": "vanilla LangChain (dense top-1)", "bm25": "BM25 only (top-1)"}


def _fmt(v) -> str:
    return "–" if v is None else (f"{v:.3f}" if isinstance(v, float) and v <= 1.0 else str(v))


def _table(rows: dict[str, dict], metrics=METRICS) -> list[str]:
    systems = [s for s in SYSTEMS if s in rows]
    lines = ["| metric | " + " | ".join(LABELS[s] for s in systems) + " |", "|---" * (len(systems) + 1) + "|"]
    lines += [f"| {m} | " + " | ".join(_fmt(rows[s][m]) for s in systems) + " |" for m in metrics]
    return lines


def type_score(row: dict, qtype: str) -> float:
    """One figure per type for the chart: refusal accuracy for unanswerable questions, key-fact recall otherwise."""
    value = row["refusal_accuracy"] if qtype == "unanswerable" else row["key_fact_recall"]
    return value or 0.0


def markdown(summary: dict, results: dict[str, list[Outcome]], qa_path: str, thresholds: dict | None) -> str:
    lines = [f"# Evaluation report\n\nQ&A set: `{qa_path}` ({summary['overall']['pipeline']['n']} questions).\n", "## Overall\n"]
    lines += _table(summary["overall"])
    lines += ["\n## By question type\n", "Key-fact recall (refusal accuracy for `unanswerable`), and n.\n"]
    systems = [s for s in SYSTEMS if s in results]
    lines.append("| type | n | " + " | ".join(LABELS[s] for s in systems) + " |")
    lines.append("|---" * (len(systems) + 2) + "|")
    for qtype, rows in summary["by_type"].items():
        cells = " | ".join(f"{type_score(rows[s], qtype):.3f}" for s in systems)
        lines.append(f"| {qtype} | {rows['pipeline']['n']} | {cells} |")
    if thresholds:
        lines += ["\n## Quality gate (`eval/thresholds.json`)\n", "| metric | threshold | pipeline | pass |", "|---|---|---|---|"]
        for name, (value, ok) in gate(summary, thresholds).items():
            lines.append(f"| {name} | {thresholds[name]} | {_fmt(value)} | {'yes' if ok else '**no**'} |")
    lines += ["\n## Failures of the full pipeline (worst first)\n"]
    for o in failures(results["pipeline"]):
        status = "answered" if o.answered else "declined"
        detail = f"recall {o.recall:.2f}" if o.recall is not None else "should decline"
        lines.append(f"- `{o.id}` ({o.type}, {status}, {detail}, retrieved rank {o.rank}, cited {o.cited}): {o.answer[:160]}")
    return "\n".join(lines) + "\n"


def gate(summary: dict, thresholds: dict) -> dict[str, tuple[float | None, bool]]:
    """`*_max` thresholds are ceilings (false_refusal_rate_max); every other one is a floor."""
    row = summary["overall"]["pipeline"]
    out = {}
    for name, limit in thresholds.items():
        if name.endswith("_max"):
            value = row[name[: -len("_max")]]
            out[name] = (value, value is not None and value <= limit)
        else:
            value = row[name]
            out[name] = (value, value is not None and value >= limit)
    return out


def chart(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    types = list(summary["by_type"])
    systems = [s for s in SYSTEMS if s in summary["overall"]]
    width = 0.8 / len(systems)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    for i, system in enumerate(systems):
        values = [type_score(summary["by_type"][t][system], t) for t in types]
        ax.bar([x + i * width for x in range(len(types))], values, width, label=LABELS[system])
    ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(types))], types)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("key-fact recall (refusal accuracy for unanswerable)")
    ax.set_title("Per question type: full pipeline vs baselines")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(systems), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results, summary, out_dir: Path, qa_path: str, thresholds: dict | None, json_path: Path | None = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "latest.md").write_text(markdown(summary, results, qa_path, thresholds), encoding="utf-8")
    data = json.dumps(to_json(results, summary), ensure_ascii=False, indent=1)
    (out_dir / "latest.json").write_text(data, encoding="utf-8")
    if json_path:
        json_path.write_text(data, encoding="utf-8")
    chart(summary, out_dir / "by_type.png")
    return out_dir / "latest.md"
