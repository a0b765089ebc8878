"""Writes forum/data/confusables.json: the UTS #39 confusable prototype of every character
whose skeleton is not itself, taken from ICU's SpoofChecker (PyICU, a test dependency).

    .venv/bin/python forum/data/generate_confusables.py

The forum computes skeletons from this table (forum/text.skeleton) so that running it needs
no ICU build. Regenerate after upgrading PyICU/ICU (new Unicode confusables data), commit
the table, and run `flask forum recompute-name-skeletons` on each site.
tests/security/test_names.py checks that the table gives ICU's skeleton for every character.
"""
from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

import icu

OUT = Path(__file__).with_name("confusables.json")


def table() -> dict[str, str]:
    checker = icu.SpoofChecker()
    mapping = {}
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        if unicodedata.normalize("NFD", char) != char:
            continue  # decomposed first: the table is asked only for NFD characters
        prototype = checker.getSkeleton(0, char)
        if prototype != char:
            mapping[char] = prototype
    return mapping


def main() -> None:
    mapping = table()
    payload = {"source": f"ICU {icu.ICU_VERSION} (Unicode {icu.UNICODE_VERSION}) "
                         "SpoofChecker.getSkeleton, from Unicode's confusables.txt",
               "prototypes": mapping}
    OUT.write_text(json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=0) + "\n",
                   encoding="utf-8")
    print(f"{len(mapping)} characters written to {OUT}")


if __name__ == "__main__":
    main()
