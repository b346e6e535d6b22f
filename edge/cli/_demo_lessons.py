"""Sample lessons for the demo hub to publish: small HTML5 packages a panel or phone can open,
one per subject, for the demo school's grades (so the box's planner wants them)."""

from __future__ import annotations

import html
from pathlib import Path

SAMPLES = {
    "Mathematics": ("Fractions_Intro", "Fractions: parts of a whole", "#1f77b4"),
    "Biology": ("Photosynthesis", "How plants make food from light", "#2ca02c"),
    "History": ("The_Printing_Press", "Gutenberg and the spread of books", "#8c564b"),
    "Geography": ("The_Water_Cycle", "Evaporation, clouds, rain, rivers", "#17becf"),
}
GRADES = "5,6,7,8,9,10"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="style.css"></head>
<body><h1>{title}</h1><p>{summary}</p><img src="img/diagram.svg" alt="{title}">
<ol><li>Warm-up question</li><li>Explain, with the diagram</li><li>Exercise in pairs</li></ol>
</body></html>
"""
_STYLE = "body{font:2rem system-ui;margin:2rem}img{width:40vw}h1{color:%s}\n"
_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
<circle cx="50" cy="50" r="40" fill="{color}"/><text x="50" y="56" font-size="14"
text-anchor="middle" fill="white">{subject}</text></svg>
"""


def write_sample_lessons(folder: Path) -> list[tuple[str, Path]]:
    """(subject, package folder) for each sample lesson, written under `folder`."""
    written = []
    for subject, (name, summary, color) in SAMPLES.items():
        package = folder / subject.lower() / name
        (package / "img").mkdir(parents=True, exist_ok=True)
        title = html.escape(name.replace("_", " "))
        (package / "index.html").write_text(_PAGE.format(title=title, summary=summary))
        (package / "style.css").write_text(_STYLE % color)
        (package / "img" / "diagram.svg").write_text(_SVG.format(color=color, subject=subject))
        written.append((subject, package))
    return written
