"""A bench's own section of bench/README.md: the lines between its two marker comments, replaced
in place (or appended), the rest of the file untouched, written atomically."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def write_section(start: str, end: str, lines: list[str], path: Path = README) -> Path:
    text = path.read_text(encoding="utf-8")
    section = "\n".join([start, *lines, end])
    if start in text and end in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
