"""Load a suite directory or a single-file config into validated models.

Steps, in order: read YAML with positions, expand `${env:...}`, splice `include:`s,
resolve `file://` bodies, validate shape with pydantic, then `validate.check_case` for what
needs the service model. Every problem in every file is collected and raised together as
one ConfigError whose lines read `file:line:col: message`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from s3tester.errors import ConfigError, Location, Problem
from s3tester.suite import yamlpos
from s3tester.suite.chars import note
from s3tester.suite.fields import check_config, check_meta
from s3tester.suite.models import AreaFile, Case, ConfigFile, Group, Suite, SuiteMeta
from s3tester.suite.suggest import suggest
from s3tester.suite.variables import UndefinedVariable, expand_env_tree
from s3tester.suite.yamlpos import PosDict, PosList

SUITE_FILE = "suite.yaml"
PHASES = ("before", "test", "after")


class _Collector:
    """Problems found so far, across files."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, location: Location | None, message: str, fallback: str = "") -> None:
        self.problems.append(Problem(location or Location(fallback), message))

    def extend(self, error: ConfigError) -> None:
        self.problems.extend(error.problems or [Problem(error.location or Location(""), error.message)])

    def raise_if_any(self) -> None:
        self.problems = [Problem(p.location, note(p.message, p.location.path, p.location.line)) for p in self.problems]
        if self.problems:
            first = self.problems[0]
            raise ConfigError(first.message, first.location, list(self.problems))


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read(path: Path, problems: _Collector) -> Any:
    try:
        data = yamlpos.load(path, _shown(path))
    except ConfigError as exc:
        problems.extend(exc)
        return None
    try:
        return expand_env_tree(data)
    except UndefinedVariable as exc:
        where = _where_text(data, "${" + exc.name) or getattr(data, "loc", None)
        problems.add(where, f"{exc} (set it, or give a default: ${{{exc.name}:-value}})", _shown(path))
        return None


def _pydantic_problems(error: ValidationError, raw: Any, shown: str) -> list[Problem]:
    out = []
    for item in error.errors():
        loc = tuple(item["loc"])
        extra = item["type"] == "extra_forbidden"
        where = yamlpos.locate(raw, loc, key=extra) or Location(shown)
        field = ".".join(str(p) for p in loc if not str(p).startswith("function-"))
        if extra:
            message = f"unknown key '{loc[-1]}'"
            parent = _parent(raw, loc[:-1])
            if isinstance(parent, dict):
                allowed = _allowed_keys(loc)
                hint = suggest(str(loc[-1]), allowed) if allowed else ""
                message += hint if f"'{loc[-1]}'" not in hint else ""
        elif "credentials" in loc[:-1] or "credentials" in loc:  # never echo what may be a secret
            message = f"{field}: {item['msg'].removeprefix('Value error, ')}"
        else:
            msg = _friendly(item) or item["msg"].removeprefix("Value error, ")
            message = f"{field}: {msg}" if field else msg
        out.append(Problem(where, message))
    return _implied_dropped(error, out)


def _friendly(item: Any) -> str | None:
    """pydantic's wording where it says less than it could: the kind of value found."""
    kind = {"model_type": "a mapping", "dict_type": "a mapping", "list_type": "a list"}.get(item["type"])
    value = item.get("input")
    if kind:
        got = "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else repr(value)
        return f"expected {kind}, got {got}"
    if item["type"] == "string_pattern_mismatch" and item["loc"][-1] in ("name", "area"):
        return f"{value!r} is not a valid name: use lowercase letters, digits, '.', '_' and '-'"
    return None


def _implied_dropped(error: ValidationError, problems: list[Problem]) -> list[Problem]:
    """A misspelled required key is one problem: drop the 'Field required' its hint explains."""
    import re

    meant = set()
    for item, problem in zip(error.errors(), problems, strict=True):
        hint = re.search(r"did you mean '([^']+)'", problem.message)
        if item["type"] == "extra_forbidden" and hint:
            meant.add((tuple(item["loc"][:-1]), hint.group(1)))
    return [
        p for item, p in zip(error.errors(), problems, strict=True)
        if not (item["type"] == "missing" and (tuple(item["loc"][:-1]), str(item["loc"][-1])) in meant)
    ]


def _where_text(node: Any, needle: str) -> Location | None:
    """Where the first string containing `needle` is (an undefined ${env:...} reference)."""
    if isinstance(node, PosDict):
        pairs = [(v, node.value_locs.get(k)) for k, v in node.items()]
    elif isinstance(node, PosList):
        pairs = list(zip(node, node.item_locs, strict=False))
    else:
        return None
    for value, loc in pairs:
        if isinstance(value, str) and needle in value:
            return loc
        found = _where_text(value, needle)
        if found is not None:
            return found
    return None


def _parent(raw: Any, loc: tuple[Any, ...]) -> Any:
    node = raw
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    from s3tester.suite.models import HttpSpec, PresignSpec, Step

    names = [str(p) for p in loc]
    model: Any = {"groups": Group}.get(names[0]) if len(names) == 1 else None
    if len(names) >= 4 and names[2] in PHASES:
        model = Step
        if len(names) >= 5 and names[4] in ("http", "presign"):
            model = HttpSpec if names[4] == "http" else PresignSpec
    elif len(names) == 3 and names[0] == "groups":
        model = Group
    elif len(names) == 1:
        model = AreaFile
    if model is None:
        return []
    return [f.alias or k for k, f in model.model_fields.items()]


def _splice_steps(steps: Any, base: Path, problems: _Collector, seen: tuple[Path, ...]) -> Any:
    """Replace `- include: file` items with the steps that file lists."""
    if not isinstance(steps, PosList):
        return steps
    out = PosList()
    out.loc, out.item_locs = steps.loc, []
    for item, loc in zip(steps, steps.item_locs, strict=True):
        if isinstance(item, PosDict) and set(item) == {"include"} and isinstance(item["include"], str):
            target = (base / item["include"]).resolve()
            if target in seen:
                problems.add(item.value_locs["include"], f"include cycle: {' -> '.join(_shown(p) for p in (*seen, target))}")
                continue
            if not target.is_file():
                problems.add(item.value_locs["include"], f"included file not found: {item['include']}")
                continue
            data = _read(target, problems)
            if isinstance(data, PosDict) and "steps" in data:
                data = data["steps"]
            if not isinstance(data, PosList):
                problems.add(getattr(data, "loc", Location(_shown(target))), "an included step file must be a list of steps (or have 'steps:')")
                continue
            inner = _splice_steps(data, target.parent, problems, (*seen, target))
            out.extend(inner)
            out.item_locs.extend(inner.item_locs)
        else:
            out.append(item)
            out.item_locs.append(loc)
    return out


def _resolve_files(value: Any, base: Path, root: Path | None = None, outside: list[str] | None = None) -> Any:
    """Make `file://` bodies absolute, relative to the YAML file that wrote them; one that
    is absolute or resolves outside `root` (the suite's tree) is left as written and noted
    in `outside`."""
    if isinstance(value, str) and value.startswith("file://"):
        rel = value[len("file://") :]
        resolved = (base / rel).resolve()
        if root is not None and outside is not None and (Path(rel).is_absolute() or not resolved.is_relative_to(root)):
            outside.append(value)
            return value
        return value if Path(rel).is_absolute() else "file://" + str(resolved)
    if isinstance(value, dict):
        for key in list(value):
            value[key] = _resolve_files(value[key], base, root, outside)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            value[i] = _resolve_files(item, base, root, outside)
    return value


def _prepare_groups(raw: Any, path: Path, problems: _Collector, seen: tuple[Path, ...]) -> None:
    """Splice step includes and resolve file bodies, in place, before model validation."""
    if not isinstance(raw, PosDict) or not isinstance(raw.get("groups"), PosList):
        return
    for group in raw["groups"]:
        if not isinstance(group, PosDict):
            continue
        for phase in PHASES:
            if phase in group:
                group[phase] = _splice_steps(group[phase], path.parent, problems, (*seen, path))
                outside: list[str] = []
                _resolve_files(group[phase], path.parent, (seen[0] if seen else path).resolve().parent, outside)
                for value in outside:
                    problems.add(_where_text(group[phase], value) or group.loc,
                                 f"body {value} is outside the suite's directory (file:// paths stay inside it)")


def _load_area(
    path: Path, problems: _Collector, seen: tuple[Path, ...] = ()
) -> tuple[str | None, list[tuple[Group, PosDict, str]]]:
    """One area file's (area name, [(group, raw group, file)]) including its includes."""
    shown = _shown(path)
    raw = _read(path, problems)
    if raw is None:
        problems.add(Location(shown), "empty file: expected 'groups:'") if not problems.problems or problems.problems[-1].location.path != shown else None
        return None, []
    if not isinstance(raw, PosDict):
        problems.add(getattr(raw, "loc", Location(shown)), "expected a mapping with 'groups:'")
        return None, []
    _prepare_groups(raw, path, problems, seen)
    try:
        model = AreaFile.model_validate(raw)
    except ValidationError as exc:
        problems.problems.extend(_pydantic_problems(exc, raw, shown))
        return None, []
    groups = [(g, raw["groups"][i], shown) for i, g in enumerate(model.groups)]
    for i, inc in enumerate(model.include):
        target = (path.parent / inc).resolve()
        where = raw["include"].item_locs[i]
        if target in seen or target == path.resolve():
            problems.add(where, f"include cycle: {' -> '.join(_shown(p) for p in (*seen, path, target))}")
            continue
        if not target.is_file():
            problems.add(where, f"included file not found: {inc}")
            continue
        _, more = _load_area(target, problems, (*seen, path.resolve()))
        groups.extend(more)
    return model.area, groups


def _make_cases(
    area: str, groups: list[tuple[Group, PosDict, str]], cases: list[Case], raws: dict[str, PosDict],
    problems: _Collector,
) -> None:
    for group, raw, shown in groups:
        case_id = f"{area}/{group.name}"
        if case_id in raws:
            first = raws[case_id].value_locs.get("name")
            where = f" (first at {first})" if first else ""
            problems.add(raw.value_locs.get("name", raw.loc), f"duplicate case id '{case_id}'{where}")
            continue
        raws[case_id] = raw
        cases.append(Case(id=case_id, area=area, group=group, source=shown, line=raw.loc.line))


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while a suite loads: it makes only acyclic, long-lived objects, and
    repeated full collections over them took ~30% of loading suites/v1 (more for bigger)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_gc_paused()
def load_suite(path: str | Path, strict: bool = False) -> Suite:
    """Load and validate a suite directory, a suite.yaml, or a single-file config."""
    from s3tester.suite.validate import check_suite

    target = Path(path)
    problems = _Collector()
    if not target.exists():
        raise ConfigError("no such file or directory", Location(str(path)))
    if target.is_dir() and not (target / SUITE_FILE).is_file():
        raise ConfigError(f"not a suite: {SUITE_FILE} is missing", Location(str(path)))
    if target.is_dir() or target.name == SUITE_FILE:
        suite, raws = _load_dir(target if target.is_dir() else target.parent, problems)
    else:
        suite, raws = _load_single(target, problems)
    if suite is not None:  # check what did load, so one run shows every problem
        problems.problems.extend(check_suite(suite, raws, strict))
    problems.raise_if_any()
    assert suite is not None
    return suite


def _load_dir(root: Path, problems: _Collector) -> tuple[Suite | None, dict[str, PosDict]]:
    meta_path = root / SUITE_FILE
    raw = _read(meta_path, problems)
    if raw is None:
        problems.add(Location(_shown(meta_path)), "empty suite.yaml: expected name and version")
        return None, {}
    try:
        meta = SuiteMeta.model_validate(raw)
    except ValidationError as exc:
        problems.problems.extend(_pydantic_problems(exc, raw, _shown(meta_path)))
        return None, {}
    for key, problem in check_meta(meta.name, str(meta.version)):
        problems.add(raw.value_locs.get(key, raw.loc), problem)
    if meta.areas == []:
        problems.add(raw.value_locs.get("areas", raw.loc), "areas: [] selects no area file (remove 'areas' to use every *.yaml)")
    for odd in sorted(root.glob("*.yml")):
        problems.add(Location(_shown(odd)), f"area files end in .yaml: rename {odd.name} to {odd.stem}.yaml (it is not loaded)")
    if meta.areas is not None:
        files = []
        for i, name in enumerate(meta.areas):
            candidate = root / f"{name}.yaml"
            if not candidate.is_file():
                problems.add(raw["areas"].item_locs[i], f"area file not found: {name}.yaml")
            else:
                files.append(candidate)
    else:
        files = sorted(p for p in root.glob("*.yaml") if p.name != SUITE_FILE)
    cases: list[Case] = []
    raws: dict[str, PosDict] = {}
    areas: dict[str, Path] = {}
    for file in files:
        area, groups = _load_area(file, problems)
        name = area or file.stem
        if name in areas and groups:
            problems.add(Location(_shown(file)), f"area '{name}' is also the area of {_shown(areas[name])}: one file per area")
            continue
        areas[name] = file
        _make_cases(name, groups, cases, raws, problems)
    suite = Suite(
        name=meta.name, version=str(meta.version), description=meta.description,
        path=_shown(root), credentials=meta.credentials, cases=cases,
    )
    return suite, raws


def _load_single(path: Path, problems: _Collector) -> tuple[Suite | None, dict[str, PosDict]]:
    shown = _shown(path)
    raw = _read(path, problems)
    if raw is None:
        if not problems.problems:
            problems.add(Location(shown), "empty file: expected 'config:' and 'groups:'")
        return None, {}
    if not isinstance(raw, PosDict):
        problems.add(getattr(raw, "loc", Location(shown)), "expected a mapping with 'config:' and 'groups:'")
        return None, {}
    _prepare_groups(raw, path, problems, ())
    try:
        model = ConfigFile.model_validate(raw)
    except ValidationError as exc:
        problems.problems.extend(_pydantic_problems(exc, raw, shown))
        return None, {}
    if not model.groups and not model.include:
        problems.add(raw.loc, "no groups: a config file needs 'groups:'")
    config_raw = raw.get("config") if isinstance(raw.get("config"), PosDict) else None
    for key, problem in check_config(model.config):
        problems.add((config_raw.value_locs.get(key) if config_raw is not None else None) or raw.loc, problem)
    groups = [(g, raw["groups"][i], shown) for i, g in enumerate(model.groups)]
    for i, inc in enumerate(model.include):
        target = (path.parent / inc).resolve()
        if not target.is_file():
            problems.add(raw["include"].item_locs[i], f"included file not found: {inc}")
            continue
        _, more = _load_area(target, problems, (path.resolve(),))
        groups.extend(more)
    cases: list[Case] = []
    raws: dict[str, PosDict] = {}
    _make_cases(path.stem, groups, cases, raws, problems)
    creds = sorted(set(model.config.credentials) | {"main"})
    suite = Suite(
        name=model.config.name or path.stem, version=model.config.version,
        description=model.description, path=shown, credentials=creds, cases=cases,
        config=model.config,
    )
    return suite, raws
