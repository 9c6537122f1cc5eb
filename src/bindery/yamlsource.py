"""YAML that remembers where each value came from, within limits.

PyYAML's composed node tree carries line numbers; `load_yaml` constructs the
plain data and keeps a map from each key path to its line, so later stages can
say `book.yaml:14: parts[1].title: ...`.

The node tree is a graph (an alias is the node it names), so every walk here
visits each node once: a few lines of aliases can stand for billions of values
(`MAX_YAML_VALUES` bounds the expanded size before anything is constructed),
and `&a [*a]` is a loop. Mapping keys stay the text the author wrote (`true:`
is not `1:`, `null:` is `null`). Every text value is checked for characters
XML cannot hold (a `"\\x01"` escape), with its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from bindery.diagnostics import BinderyError, Diagnostic
from bindery.limits import MAX_NUMBER_DIGITS, MAX_YAML_VALUES
from bindery.textinput import ILLEGAL_HINT, check_xml_chars, describe_char, find_illegal

Path_ = tuple[str | int, ...]

_INT = "tag:yaml.org,2002:int"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True)
class LineMap:
    lines: dict[Path_, int]
    first_line: int = 1

    def line(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), self.first_line)


def key_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Loader(yaml.SafeLoader):  # type: ignore[misc,unused-ignore]
    """SafeLoader whose mapping keys are the text written (`true:` is 'true', not True)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key: Any = str(key_node.value)
            else:
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, (str, int, float, bool, tuple)) and key is not None:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark, "found a list or mapping as a key", key_node.start_mark
                    )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _error(message: str, filename: str, line: int | None, hint: str, code: str) -> BinderyError:
    return BinderyError(Diagnostic(message, file=filename, line=line, hint=hint, code=code))


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, filename: str, line_offset: int) -> BinderyError:
    """The error for YAML that does not parse, at its line, with a hint about tabs when they are the cause."""
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line + 1 + line_offset) if mark else None
    problem = exc.problem or "invalid YAML"
    row = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
    tabbed = "'\\t'" in problem or "\t" in row[: len(row) - len(row.lstrip())]
    hint = "use spaces, not tabs, to indent YAML" if tabbed else "check indentation, colons and quotes on this line or the one before"
    return _error(f"invalid YAML: {problem}", filename, line, hint, code="yaml-syntax")


def load_yaml(text: str, filename: str, line_offset: int = 0) -> tuple[Any, LineMap, list[Diagnostic]]:
    """Parse YAML; return data, line map and duplicate-key diagnostics.

    Raises BinderyError (with file and line) on a syntax error, a value that
    cannot be read, a loop of aliases or aliases that expand too far.
    """
    check_xml_chars(text, filename, 1 + line_offset, code="yaml-control-char")
    loader = _Loader(text)
    node: yaml.Node | None = None
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_graph(node, filename, line_offset)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, filename, line_offset) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 + line_offset
        raise _error(
            f"invalid YAML: character U+{exc.character:04X} is not allowed", filename, line, ILLEGAL_HINT, code="yaml-control-char"
        ) from None
    except yaml.YAMLError as exc:
        raise _error(f"invalid YAML: {exc}", filename, None, "check the YAML syntax", code="yaml-syntax") from None
    except ValueError as exc:  # a value PyYAML cannot build that _check_graph did not foresee
        raise _error(f"invalid value: {exc}", filename, None, "quote the value to keep it as text", code="yaml-value") from None
    except RecursionError:
        raise _error(
            "the YAML is nested too deeply", filename, None, "use at most a few levels of lists and mappings", code="yaml-syntax"
        ) from None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    duplicates: list[Diagnostic] = []
    if node is not None:
        _walk(node, lines, duplicates, filename, line_offset)
    return data, LineMap(lines, 1 + line_offset), duplicates


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_graph(root: yaml.Node, filename: str, offset: int) -> None:
    """Visit every node once: refuse loops of aliases, documents whose aliases
    expand past MAX_YAML_VALUES, bad characters, numbers and dates."""
    size: dict[int, int] = {}  # expanded value count of each finished node
    on_path: set[int] = set()
    checker = yaml.SafeLoader("")
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        line = node.start_mark.line + 1 + offset
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            if size[key] > MAX_YAML_VALUES:
                raise _error(
                    f"aliases (*name) expand this YAML to more than {MAX_YAML_VALUES:,} values",
                    filename,
                    line,
                    "write the values out instead of repeating aliases of aliases",
                    code="yaml-too-large",
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise _error(
                "an alias (*name) refers to the list or mapping that contains it, which never ends",
                filename,
                line,
                "an alias may only repeat a value defined before it and outside it",
                code="yaml-alias-loop",
            )
        if isinstance(node, yaml.ScalarNode):
            _check_scalar(node, checker, filename, line)
            size[key] = 1
            continue
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)) if id(child) not in size)


def _check_scalar(node: yaml.ScalarNode, checker: yaml.SafeLoader, filename: str, line: int) -> None:
    value = str(node.value)
    found = find_illegal(value)
    if found is not None:
        raise _error(
            f"the value contains {describe_char(found[1])}, which an EPUB cannot hold",
            filename,
            line,
            ILLEGAL_HINT,
            code="yaml-control-char",
        )
    if node.tag == _INT and len(value) > MAX_NUMBER_DIGITS:
        raise _error(
            f"a number with {len(value):,} digits is too long (the limit is {MAX_NUMBER_DIGITS:,})",
            filename,
            line,
            "quote it if it is meant as text",
            code="yaml-value",
        )
    if node.tag == _TIMESTAMP:
        try:
            checker.construct_yaml_timestamp(node)
        except ValueError as exc:
            raise _error(
                f"'{value[:40]}' is not a real date ({exc})",
                filename,
                line,
                "write dates as YYYY-MM-DD with a real month and day, or quote the text",
                code="yaml-value",
            ) from None


def _walk(root: yaml.Node, lines: dict[Path_, int], dups: list[Diagnostic], filename: str, offset: int) -> None:
    """Record each key path's line; each node is entered once (an alias is not expanded)."""
    entered: set[int] = set()
    stack: list[tuple[yaml.Node, Path_]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        lines.setdefault(path, node.start_mark.line + 1 + offset)
        if id(node) in entered:
            continue
        entered.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            pending: list[tuple[yaml.Node, Path_]] = []
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    dups.append(
                        Diagnostic(
                            f"'{key[:60]}' is given twice; the last one would win",
                            file=filename,
                            line=key_node.start_mark.line + 1 + offset,
                            key=key_path(path + (key,)),
                            hint="remove one of them",
                            code="yaml-duplicate-key",
                        )
                    )
                seen.add(key)
                lines[path + (key,)] = key_node.start_mark.line + 1 + offset
                pending.append((value_node, path + (key,)))
            stack.extend(reversed(pending))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed([(item, path + (index,)) for index, item in enumerate(node.value)]))
