"""A synthetic large scenario for benchmarks: 5 days, 5,000 injects, 20 cells, 40 delegations."""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

DAYS = 5


def build(folder: Path, injects: int = 5000, cells: int = 20, delegations: int = 40, seed: int = 7) -> Path:
    """Write scenario.yaml plus one inject file per day under ``folder``; return the folder."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "injects").mkdir(exist_ok=True)
    cell_ids = [f"CELL{n:02d}" for n in range(cells)]
    codes = [f"X{chr(65 + n // 26)}{chr(65 + n % 26)}" for n in range(delegations)]
    objectives = [{"id": f"O{n}", "title": f"Objective {n}"} for n in range(1, 5)]
    capabilities = [
        {
            "id": f"C{n}",
            "name": f"Capability {n}",
            "objectives": [f"O{1 + n % 4}"],
            "target": "A target",
            "critical_tasks": ["First task", "Second task"],
        }
        for n in range(1, 14)
    ]
    scenario = {
        "exercise": {"title": "SYNTHETIC", "version": "1", "tlp": "GREEN"},
        "include": ["injects/*.yaml"],
        "objectives": objectives,
        "capabilities": capabilities,
        "cells": [{"id": cell, "name": f"Cell {cell}"} for cell in cell_ids],
        "participants": [
            {"id": code, "name": f"Delegation {code}", "cells": rng.sample(cell_ids, 2), "roles": ["policy"]}
            for code in codes
        ],
        "days": [{"day": day, "title": f"Day {day}", "lead": cell_ids[day]} for day in range(1, DAYS + 1)],
        "phases": [
            {
                "id": f"p{day}",
                "title": f"Phase {day}",
                "start": f"D{day} 08:00",
                **({"end": "D5 20:00"} if day == DAYS else {}),
            }
            for day in range(1, DAYS + 1)
        ],
    }
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    per_day = injects // DAYS
    number = 0
    for day in range(1, DAYS + 1):
        items = []
        for index in range(per_day):
            number += 1
            minute = 8 * 60 + (index * 720) // per_day
            inject: dict[str, object] = {
                "id": f"I{number:05d}",
                "time": f"D{day} {minute // 60:02d}:{minute % 60:02d}",
                "from": "Synthetic source",
                "to": rng.sample(cell_ids, 2) + rng.sample(codes, 2),
                "channel": "sitrep",
                "tlp": rng.choice(["GREEN", "AMBER", "CLEAR"]),
                "title": f"Synthetic inject {number}",
                "body": "A paragraph of scenario text that players read. " * 3,
                "questions": ["What do you do?", "Who do you tell?"],
                "expected_actions": ["Decide", "Inform"],
                "objectives": [f"O{1 + number % 4}"],
                "capabilities": [f"C{1 + number % 13}"],
                "critical_tasks": [f"C{1 + number % 13}.1"],
            }
            if index % 50 == 10 and index + 1 < per_day:
                inject["options"] = [
                    {"id": "a", "label": "Option A", "default": True, "release": [f"I{number + 1:05d}"]},
                    {"id": "b", "label": "Option B"},
                ]
                inject["response"] = {"required": True, "deadline": "01:00"}
            items.append(inject)
        path = folder / "injects" / f"day{day}.yaml"
        path.write_text(yaml.safe_dump({"injects": items}, sort_keys=False), encoding="utf-8")
    return folder


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--injects", type=int, default=5000)
    args = parser.parse_args()
    print(build(args.folder, args.injects))
