"""What a language still lacks, and the files to start translating from.

    python -m guide.content.translate es          # report: missing, extra and still-English texts
    python -m guide.content.translate es --start  # also write every missing text, in English, to translate

English is the reference: text/en*.json are translated whole into text/<language>*.json (same sections and
keys), and the fields translatable.json names in data files into translations/<language>/<file> (path -> text).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

from guide.content import _text_files, load, translatable, translation
from guide.content.language import languages, reference

ROOT = Path(str(resources.files("guide.content")))


def data_files() -> list[str]:
    """Every content file with texts to translate, by its name under guide/content/."""
    globs = load("translatable.json")["files"]
    names = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.json"))
    return [n for n in names if any(fnmatch(n, g) for g in globs) and not n.startswith(("translations/", "text/"))]


def text_file_names(language: str) -> dict[str, str]:
    """The English text files and the name each has in `language` (text/en.ui.json -> text/es.ui.json)."""
    english = sorted(
        p.name for p in (ROOT / "text").glob(f"{reference()}*.json") if p.name.split(".")[0] == reference()
    )
    return {name: language + name[len(reference()) :] for name in english}


def reference_texts() -> Iterator[tuple[str, str, str]]:
    """(file, key, English) for every text a language translates; keys are section.key in text files."""
    for section, entries in _text_files(reference()).items():
        for key, value in entries.items():
            yield "text", f"{section}.{key}", value
    for name in data_files():
        for path, value in translatable(name).items():
            yield name, path, value


def translated_texts(language: str) -> dict[tuple[str, str], str]:
    """The same (file, key) pairs as a language has them (whatever it has, extra keys included)."""
    found = {("text", f"{s}.{k}"): v for s, entries in _text_files(language).items() for k, v in entries.items()}
    for name in data_files():
        found |= {(name, path): value for path, value in translation(name, language).items()}
    return found


def start(language: str) -> int:
    """Write every text `language` lacks, in English, into its files; the count written."""
    written = 0
    for english, own in text_file_names(language).items():
        target = ROOT / "text" / own
        have = json.loads(target.read_text("utf-8")) if target.exists() else {}
        for section, entries in json.loads((ROOT / "text" / english).read_text("utf-8")).items():
            mine = have.setdefault(section, {})
            for key, value in entries.items():
                written += key not in mine
                mine.setdefault(key, value)
        target.write_text(json.dumps(have, ensure_ascii=False, indent=2) + "\n", "utf-8")
    for name in data_files():
        target = ROOT / "translations" / language / name
        have = translation(name, language)
        wanted = translatable(name)
        written += len(wanted.keys() - have.keys())
        target.parent.mkdir(parents=True, exist_ok=True)
        merged = {path: have.get(path, english) for path, english in wanted.items()}
        target.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("language", choices=[code for code in languages() if code != reference()])
    parser.add_argument("--start", action="store_true", help="write the missing texts, in English, to translate")
    args = parser.parse_args()
    if args.start:
        print(f"{start(args.language)} texts written in English to translate")
        _text_files.cache_clear()
    english = {(f, k): v for f, k, v in reference_texts()}
    own = translated_texts(args.language)
    missing, extra = english.keys() - own.keys(), own.keys() - english.keys()
    same = [key for key in english.keys() & own.keys() if own[key] == english[key]]
    print(f"{len(english)} texts; missing {len(missing)}, extra {len(extra)}, still English {len(same)}")
    for label, keys in (("missing", missing), ("extra", extra), ("still English", same)):
        for file, key in sorted(keys)[:40]:
            print(f"  {label}: {file} {key}")


if __name__ == "__main__":
    main()
