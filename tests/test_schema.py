"""Editor support: schema/ matches the models, and the files editors open validate against it.

`make schema` (python -m s3tester.schema) regenerates schema/; this test fails when a model
changed without it. Suite area files, suite.yaml, vendor profiles and examples are
validated with jsonschema exactly as yaml-language-server would see them (raw YAML).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from s3tester.schema import all_schemas, suite_file_schema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "schema"
HEADER = re.compile(r"^# yaml-language-server: \$schema=(\S+)\s*$", re.MULTILINE)
EDITED = [ROOT / "suites", ROOT / "vendors", ROOT / "examples", ROOT / "tests" / "suites"]


def _yaml_files(*dirs: Path) -> list[Path]:
    return sorted(p for d in dirs if d.is_dir() for p in d.rglob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _errors(validator: jsonschema.protocols.Validator, path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text())
    return [f"{path.relative_to(ROOT)}: {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
            for e in validator.iter_errors(data)]


def test_schema_dir_is_up_to_date() -> None:
    generated = {name: json.dumps(schema, indent=2, sort_keys=True) + "\n" for name, schema in all_schemas().items()}
    on_disk = {p.name: p.read_text() for p in SCHEMA_DIR.glob("*.json")}
    stale = sorted(n for n in generated if on_disk.get(n) != generated[n])
    extra = sorted(set(on_disk) - set(generated))
    assert not stale and not extra, (
        f"schema/ is out of date (changed: {stale}, not generated any more: {extra}): run `make schema`")


def test_schemas_are_valid_json_schema() -> None:
    for path in SCHEMA_DIR.glob("*.json"):
        schema = json.loads(path.read_text())
        jsonschema.validators.validator_for(schema).check_schema(schema)


def test_suite_area_files_validate() -> None:
    validator = _validator("suite-file.schema.json")
    areas = [p for p in _yaml_files(ROOT / "suites") if p.name != "suite.yaml" and "data" not in p.parts]
    assert areas, "no suite area files found"
    problems = [e for p in areas for e in _errors(validator, p)]
    assert not problems, "\n".join(problems[:30])


def test_suite_yaml_files_validate() -> None:
    validator = _validator("suite.schema.json")
    metas = list((ROOT / "suites").glob("*/suite.yaml"))
    assert metas
    problems = [e for p in metas for e in _errors(validator, p)]
    assert not problems, "\n".join(problems)


def test_vendor_profiles_validate() -> None:
    validator = _validator("vendor.schema.json")
    problems = [e for p in _yaml_files(ROOT / "vendors") for e in _errors(validator, p)]
    assert not problems, "\n".join(problems)


def test_examples_validate() -> None:
    validator = _validator("suite-file.schema.json")
    files = [p for p in _yaml_files(ROOT / "examples") if p.name != "suite.yaml"]
    problems = [e for p in files for e in _errors(validator, p)]
    assert not problems, "\n".join(problems)


def test_every_schema_header_points_at_an_existing_schema() -> None:
    broken = []
    for path in _yaml_files(*EDITED):
        for ref in HEADER.findall(path.read_text()):
            if ref.startswith("https://"):
                name = ref.rsplit("/", 1)[-1]
                if not (SCHEMA_DIR / name).is_file():
                    broken.append(f"{path.relative_to(ROOT)}: {ref}")
            elif not (path.parent / ref).resolve().is_file():
                broken.append(f"{path.relative_to(ROOT)}: {ref}")
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("directory", ["suites/v1", "examples"])
def test_suite_files_carry_the_editor_header(directory: Path) -> None:
    files = [p for p in _yaml_files(ROOT / directory) if "data" not in p.relative_to(ROOT).parts]
    missing = [str(p.relative_to(ROOT)) for p in files if not HEADER.search(p.read_text())]
    assert not missing, f"add '# yaml-language-server: $schema=...' to: {missing}"


def test_schema_command_prints_the_suite_file_schema() -> None:
    from s3tester.cli import cli

    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == suite_file_schema()
