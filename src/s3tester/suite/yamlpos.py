"""YAML with positions: every mapping and list remembers where its keys and items were.

PyYAML's composer already knows each node's mark; we keep them on `PosDict`/`PosList` so a
validation error found later (by pydantic, by the operation checker) can point at
`file:line:col` (the tavern approach). Duplicate keys are problems, not silent overwrites.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml

from s3tester.errors import ConfigError, Location, Problem

try:  # the C composer is several times faster on big suites
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64  # nesting levels; real suites use about 12
_STR_TAG = "tag:yaml.org,2002:str"
MAX_ALIASED = 100_000  # values copied through aliases (*name): stops "billion laughs"


class _TooBig(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node, self.message = node, message


class PosDict(dict[str, Any]):
    """A mapping that knows where it, its keys and its values start."""

    loc: Location
    key_locs: dict[str, Location]
    value_locs: dict[str, Location]


class PosList(list[Any]):
    """A list that knows where it and each item start."""

    loc: Location
    item_locs: list[Location]


def _loc(path: str, node: yaml.Node) -> Location:
    mark = node.start_mark
    return Location(path, mark.line + 1, mark.column + 1)


class _Budget:
    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.aliased = 0


def _construct(
    node: yaml.Node, path: str, problems: list[Problem], ctor: Any,
    depth: int = 0, budget: _Budget | None = None, aliased: bool = False,
) -> Any:
    budget = budget or _Budget()
    if depth > MAX_DEPTH:
        raise _TooBig(node, f"nested too deeply (more than {MAX_DEPTH} levels)")
    if isinstance(node, yaml.CollectionNode):
        aliased = aliased or id(node) in budget.seen
        budget.seen.add(id(node))
    if aliased:
        budget.aliased += 1
        if budget.aliased > MAX_ALIASED:
            raise _TooBig(node, f"aliases expand to over {MAX_ALIASED} values (a YAML bomb?)")
    more = (depth + 1, budget, aliased)
    if isinstance(node, yaml.MappingNode):
        out = PosDict()
        out.loc = _loc(path, node)
        out.key_locs, out.value_locs = {}, {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(Problem(_loc(path, key_node), "merge keys (<<) are not supported"))
                continue
            key = _construct(key_node, path, problems, ctor, *more)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                problems.append(
                    Problem(
                        _loc(path, key_node),
                        f"duplicate key '{key}' (first at line {out.key_locs[key].line})",
                    )
                )
                continue
            out[key] = _construct(value_node, path, problems, ctor, *more)
            out.key_locs[key] = _loc(path, key_node)
            out.value_locs[key] = _loc(path, value_node)
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = PosList(_construct(item, path, problems, ctor, *more) for item in node.value)
        seq.loc = _loc(path, node)
        seq.item_locs = [_loc(path, item) for item in node.value]
        return seq
    if node.tag == _STR_TAG:  # most scalars: skip the constructor's dispatch (validate speed)
        return node.value
    try:
        return ctor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problems.append(Problem(_loc(path, node), _one_line(exc)))
        return None


def _one_line(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        parts = [p for p in (exc.context, exc.problem) if p]
        return "; ".join(parts) or "invalid YAML"
    return str(exc).splitlines()[0] if str(exc) else "invalid YAML"


def read_text(path: Path, shown: str) -> str:
    """Read a YAML file as UTF-8, refusing binary, huge and undecodable files clearly."""
    try:
        info = path.stat()
        if stat.S_ISFIFO(info.st_mode) or stat.S_ISSOCK(info.st_mode):  # reading would block
            kind = "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else "a socket"
            raise ConfigError(f"is {kind}, expected a YAML file", Location(shown))
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise ConfigError(f"file is too large ({size} bytes; limit {MAX_FILE_BYTES})", Location(shown))
        with path.open("rb") as handle:  # capped: a device or FIFO has no size to check
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ConfigError(f"file is too large (over the {MAX_FILE_BYTES}-byte limit)", Location(shown))
    except FileNotFoundError:
        raise ConfigError("file not found", Location(shown)) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, expected a YAML file", Location(shown)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", Location(shown)) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError("UTF-16 text: save the file as UTF-8", Location(shown))
    if b"\x00" in raw:
        raise ConfigError("binary file, expected UTF-8 YAML text", Location(shown))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", Location(shown, line, col)
        ) from None


def load(path: Path, shown: str | None = None) -> Any:
    """Parse one YAML document from `path` into PosDict/PosList/scalars."""
    shown = shown or str(path)
    text = read_text(path, shown)
    return loads(text, shown)


def loads(text: str, shown: str) -> Any:
    loader = _Loader(text)
    problems: list[Problem] = []
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(shown, mark.line + 1, mark.column + 1) if mark else Location(shown)
        raise ConfigError(_one_line(exc), loc) from None
    except yaml.YAMLError as exc:
        raise ConfigError(_one_line(exc), Location(shown)) from None
    finally:
        loader.dispose()
    if node is None:
        return None
    ctor = _Loader("")
    try:
        data = _construct(node, shown, problems, ctor)
    except _TooBig as exc:
        raise ConfigError(exc.message, _loc(shown, exc.node)) from None
    finally:
        ctor.dispose()
    if problems:
        raise ConfigError(problems[0].message, problems[0].location, problems)
    return data


def locate(root: Any, loc: tuple[Any, ...], key: bool = False) -> Location | None:
    """The position of the value at `loc` (a pydantic error path), or its closest parent."""
    node = root
    found: Location | None = getattr(root, "loc", None)
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, PosDict) and isinstance(part, str) and part in node:
            found = node.key_locs[part] if (key and last) else node.value_locs[part]
            node = node[part]
        elif isinstance(node, PosList) and isinstance(part, int) and 0 <= part < len(node):
            found = node.item_locs[part]
            node = node[part]
        elif isinstance(node, PosDict | PosList):
            continue  # union branch names and the like: skip, keep walking
        else:
            break
    return found
