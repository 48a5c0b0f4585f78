"""The evaluation report: ``metrics.json`` and one self-contained ``report.html`` (tables, inline PNG plots).

No scripts, no CDN: the page opens offline. Plots (matplotlib, Agg): per clip, the mouth opening against the
audio's loudness over time with the open-vowel and lip-closing phones shaded, the head-pose trajectories, and
the viseme contrast against the audio-visual offset; per figure, the clips' scores side by side across
methods.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
from pathlib import Path

import numpy as np

from talkinghead.metrics.evaluation import ClipResult, Evaluation

__all__ = ["write_report", "render_html"]

_CSS = """
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:8px 0 20px}
th,td{border:1px solid #ccc;padding:2px 5px;text-align:right;font-size:12px}
td.l:first-child{min-width:9em} .wide{overflow-x:auto}
th{background:#f2f2f2} td.l,th.l{text-align:left}
td.best{font-weight:bold;background:#e8f5e9}
.note{color:#666;font-size:13px} img{max-width:100%} h3{margin-bottom:4px}
.clip{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start}
"""


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, str):
        return value
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def _name(name: str) -> str:
    """A figure name that may break after its underscores in a narrow header."""
    return html.escape(name).replace("_", "_<wbr>")


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def _figures(evaluation: Evaluation):
    return [(m, f) for m in evaluation.metrics for f in m.figures]


def _summary_table(evaluation: Evaluation) -> str:
    figures = _figures(evaluation)
    head = "".join(
        f'<th title="{html.escape(m.definition)}">{_name(f.name)} '
        f'{"↑" if f.higher_is_better else "↓" if f.higher_is_better is False else ""}</th>' for m, f in figures)
    best = {}
    for _, f in figures:
        if f.higher_is_better is None or len(evaluation.methods) < 2:
            continue
        vals = [m.values.get(f.name, math.nan) for m in evaluation.methods]
        finite = [v for v in vals if not math.isnan(v)]
        if finite:
            best[f.name] = max(finite) if f.higher_is_better else min(finite)
    rows = []
    for method in evaluation.methods:
        cells = []
        for _, f in figures:
            v = method.values.get(f.name, math.nan)
            cls = ' class="best"' if f.name in best and v == best[f.name] else ""
            cells.append(f"<td{cls}>{_fmt(v)}</td>")
        rows.append(f'<tr><td class="l">{html.escape(method.label)}</td><td>{len(method.clips)}</td>'
                    + "".join(cells) + "</tr>")
    return (f'<div class="wide"><table><tr><th class="l">method</th><th>clips</th>{head}</tr>' + "".join(rows)
            + "</table></div>")


def _clip_table(evaluation: Evaluation) -> str:
    figures = _figures(evaluation)
    head = "".join(f"<th>{_name(f.name)}</th>" for m, f in figures if m.kind != "distribution")
    rows = []
    for method in evaluation.methods:
        for c in method.clips:
            cells = "".join(f"<td>{_fmt(c.values.get(f.name))}</td>" for m, f in figures if m.kind != "distribution")
            audio = Path(c.speech.source).name if c.speech else "–"
            notes = "; ".join(c.notes)
            rows.append(f'<tr><td class="l">{html.escape(method.label)}</td><td class="l">{html.escape(c.clip.name)}'
                        f'</td><td class="l">{html.escape(audio)} ({c.speech.phone_source if c.speech else "–"})</td>'
                        f"<td>{len(c.face) if c.face else 0}</td>{cells}"
                        f'<td class="l note">{html.escape(notes)}</td></tr>')
    return (f'<div class="wide"><table><tr><th class="l">method</th><th class="l">clip</th>'
            f'<th class="l">audio (phones)</th>'
            f'<th>frames</th>{head}<th class="l">notes</th></tr>' + "".join(rows) + "</table></div>")


def _clip_plots(result: ClipResult) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from talkinghead.metrics.lip_sync import LIP_CLOSERS, OPEN_VOWELS, mouth_opening

    face, speech = result.face, result.speech
    if face is None:
        return ""
    parts = []
    times = face.times
    opening = mouth_opening(face.landmarks)
    fig, ax = plt.subplots(figsize=(7.5, 2.6))
    if speech is not None:
        for phone in speech.phones:
            if phone.label in OPEN_VOWELS:
                ax.axvspan(phone.start, phone.end, color="#ffd54f", alpha=0.35, lw=0)
            elif phone.label in LIP_CLOSERS:
                ax.axvspan(phone.start, phone.end, color="#64b5f6", alpha=0.45, lw=0)
    ax.plot(times, 100 * opening, color="#c62828", lw=1.4, label="inner-lip gap (% face height)")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("% face height")
    if speech is not None:
        ax2 = ax.twinx()
        t_audio = (np.arange(len(speech.loudness)) + 0.5) / face.fps
        ax2.plot(t_audio, speech.loudness, color="#555", lw=0.8, alpha=0.7, label="loudness (dBFS)")
        ax2.set_ylim(max(-80, float(np.nanmin(speech.loudness))), 0)
        ax2.set_ylabel("dBFS")
    ax.set_title("mouth vs audio (yellow: open vowels, blue: p b m f v)", fontsize=9)
    parts.append(_png(fig))
    fig, ax = plt.subplots(figsize=(4.2, 2.6))
    for i, name in enumerate(("pitch", "yaw", "roll")):
        ax.plot(times, face.pose[:, i], lw=1.0, label=name)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("degrees")
    ax.legend(fontsize=7, loc="upper right")
    ax.set_title("head pose", fontsize=9)
    parts.append(_png(fig))
    by_offset = result.series.get("contrast_by_offset")
    if by_offset is not None:
        k = (len(by_offset) - 1) // 2
        fig, ax = plt.subplots(figsize=(3.2, 2.6))
        ax.plot(np.arange(-k, k + 1), by_offset, marker="o", ms=3)
        ax.axvline(0, color="#999", lw=0.8)
        ax.axhline(0, color="#999", lw=0.8)
        ax.set_xlabel("offset (frames, > 0: mouth lags)")
        ax.set_ylabel("d'")
        ax.set_title("viseme contrast vs offset", fontsize=9)
        parts.append(_png(fig))
    return '<div class="clip">' + "".join(parts) + "</div>"


def _comparison_plots(evaluation: Evaluation) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted({c.clip.name for m in evaluation.methods for c in m.clips})
    figures = [(m, f) for m, f in _figures(evaluation) if m.kind != "distribution"]
    if not figures or not names:
        return ""
    cols = min(3, len(figures))
    rows = math.ceil(len(figures) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.4 * cols, 2.6 * rows), squeeze=False)
    width = 0.8 / max(1, len(evaluation.methods))
    for ax, (_, f) in zip(axes.flat, figures):
        for j, method in enumerate(evaluation.methods):
            by_name = {c.clip.name: c.values.get(f.name, np.nan) for c in method.clips}
            vals = np.array([by_name.get(n, np.nan) for n in names], np.float64)
            vals[np.isinf(vals)] = np.nan
            ax.bar(np.arange(len(names)) + j * width, vals, width, label=method.label)
        ax.set_xticks(np.arange(len(names)) + 0.4 - width / 2, names, fontsize=7, rotation=30)
        ax.set_title(f.name + (f" ({f.unit})" if f.unit else ""), fontsize=9)
        ax.axhline(0, color="#999", lw=0.6)
    for ax in list(axes.flat)[len(figures):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)


def render_html(evaluation: Evaluation, title: str = "talkinghead evaluation") -> str:
    """The whole report page as one HTML string."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>",
             f"<p>Protocol: <b>{evaluation.protocol}</b>. Methods: "
             + ", ".join(html.escape(m.label) for m in evaluation.methods) + ".</p>",
             "<h2>Summary (mean over clips)</h2>", _summary_table(evaluation)]
    if evaluation.skipped:
        parts.append("<h3>Not computed</h3><ul>" + "".join(
            f"<li><b>{html.escape(n)}</b>: {html.escape(r)}</li>" for n, r in evaluation.skipped.items()) + "</ul>")
    parts += ["<h2>Per clip</h2>", _clip_table(evaluation), _comparison_plots(evaluation),
              "<h2>Clips</h2>"]
    for method in evaluation.methods:
        for c in method.clips:
            parts.append(f"<h3>{html.escape(method.label)} / {html.escape(c.clip.name)}</h3>"
                         f'<p class="note">video {html.escape(str(c.clip.video))}; audio '
                         f'{html.escape(c.speech.source if c.speech else "none")}</p>' + _clip_plots(c))
    parts.append("<h2>Definitions</h2><dl>")
    for m in evaluation.metrics:
        step = evaluation.step(m)
        sub = f" Scored on every {step}th frame." if step > 1 else ""
        parts.append(f"<dt><b>{html.escape(m.name)}</b></dt><dd>{html.escape(m.definition)}{sub} "
                     f"<i>{html.escape(m.reference)}</i></dd>")
    parts.append("</dl></body></html>")
    return "\n".join(parts)


def write_report(evaluation: Evaluation, folder: str | os.PathLike, overwrite: bool = False) -> tuple[Path, Path]:
    """Write ``metrics.json`` and ``report.html`` into ``folder`` (created if missing), each atomically."""
    from talkinghead.io import atomic_write_text

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    json_path = atomic_write_text(folder / "metrics.json", json.dumps(evaluation.to_json(), indent=1) + "\n",
                                  overwrite)
    html_path = atomic_write_text(folder / "report.html", render_html(evaluation), overwrite)
    return json_path, html_path
