"""The translatable texts of the Jinja2 templates (the builder's rows), as a
.pot file on stdout: Django's makemessages cannot read Jinja2's syntax, so
`make messages` adds these to what it collects (Jinja2's own extractor)."""

from __future__ import annotations

import sys
from pathlib import Path

from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[1]


def quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def main() -> None:
    environment = Environment(extensions=["jinja2.ext.i18n"])
    entries: dict[tuple[str, ...], list[str]] = {}
    for path in sorted((ROOT / "templates").rglob("*.jinja")):
        source = path.read_text(encoding="utf-8")
        for line, _function, message in environment.extract_translations(source):
            texts = tuple(m for m in (message if isinstance(message, tuple) else (message,)) if m)
            entries.setdefault(texts, []).append(f"{path.relative_to(ROOT)}:{line}")
    out = sys.stdout
    out.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n')
    for texts, places in entries.items():
        out.write(f"#: {' '.join(sorted(set(p.split(':')[0] for p in places)))}\n")
        if any("%(" in text for text in texts):
            out.write("#, python-format\n")
        out.write(f"msgid {quoted(texts[0])}\n")
        if len(texts) > 1:
            out.write(f"msgid_plural {quoted(texts[1])}\nmsgstr[0] \"\"\nmsgstr[1] \"\"\n\n")
        else:
            out.write('msgstr ""\n\n')


if __name__ == "__main__":
    main()
