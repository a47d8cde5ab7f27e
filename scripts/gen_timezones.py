#!/usr/bin/env python3
"""Regenerate builders/data/timezones.txt: every zone and link name of tzdata.

    python3 scripts/gen_timezones.py [/usr/share/zoneinfo/tzdata.zi]

tzdata.zi is zic's input: `Z NAME ...` lines are zones, `L TARGET NAME` lines
are links (old names such as US/Eastern); both are valid TZ values.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "builders" / "data" / "timezones.txt"


def zone_names(text: str) -> list[str]:
    names = set()
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "Z":
            names.add(fields[1])
        elif len(fields) >= 3 and fields[0] == "L":
            names.add(fields[2])
    return sorted(names)


def main(argv: list[str]) -> None:
    source = Path(argv[1] if len(argv) > 1 else "/usr/share/zoneinfo/tzdata.zi")
    text = source.read_text(encoding="utf-8")
    version = next((line.split()[-1] for line in text.splitlines()[:3] if line.startswith("# version")), "unknown")
    names = zone_names(text)
    OUT.write_text(f"# tzdata {version}: zone and link names (scripts/gen_timezones.py)\n" + "\n".join(names) + "\n",
                   encoding="utf-8")
    print(f"{len(names)} names -> {OUT}")


if __name__ == "__main__":
    main(sys.argv)
