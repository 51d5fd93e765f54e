"""JSON Schemas generated from the models: suite files, suite.yaml, results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_BASE = "https://s3tester.dev/schema/"


def suite_file_schema() -> dict[str, Any]:
    """One schema for area files and single-file configs (both are `groups:` files)."""
    from s3tester.suite.models import AreaFile, ConfigFile

    area = AreaFile.model_json_schema(by_alias=True)
    config = ConfigFile.model_json_schema(by_alias=True)
    defs = {**area.pop("$defs", {}), **config.pop("$defs", {})}
    defs["AreaFile"], defs["ConfigFile"] = area, config
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_BASE + "suite-file.schema.json",
        "title": "s3tester suite area file or single-file config",
        "anyOf": [{"$ref": "#/$defs/AreaFile"}, {"$ref": "#/$defs/ConfigFile"}],
        "$defs": defs,
    }


def suite_meta_schema() -> dict[str, Any]:
    from s3tester.suite.models import SuiteMeta

    out = SuiteMeta.model_json_schema()
    out["$id"] = SCHEMA_BASE + "suite.schema.json"
    return out


def results_schema() -> dict[str, Any]:
    from s3tester.results.records import RunResult

    out = RunResult.model_json_schema()
    out["$id"] = SCHEMA_BASE + "results.schema.json"
    return out


def vendor_schema() -> dict[str, Any]:
    """vendors/<name>.yaml (the profiles' `# yaml-language-server` headers point here)."""
    from s3tester.servers.profiles import VendorProfile

    out = VendorProfile.model_json_schema(by_alias=True)
    out["$id"] = SCHEMA_BASE + "vendor.schema.json"
    # `name` defaults to the file name, so files need not repeat it.
    out["required"] = [r for r in out.get("required", []) if r != "name"]
    if not out["required"]:
        del out["required"]
    return out


def all_schemas() -> dict[str, dict[str, Any]]:
    return {
        "suite-file.schema.json": suite_file_schema(),
        "suite.schema.json": suite_meta_schema(),
        "results.schema.json": results_schema(),
        "vendor.schema.json": vendor_schema(),
    }


def write_all(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, schema in all_schemas().items():
        (directory / name).write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_all(Path(__file__).resolve().parents[2] / "schema")
