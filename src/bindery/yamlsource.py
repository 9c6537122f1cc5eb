"""YAML that remembers where each value came from.

PyYAML's composed node tree carries line numbers; `load_yaml` constructs the
plain data and keeps a map from each key path to its line, so later stages can
say `book.yaml:14: parts[1].title: ...`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from bindery.diagnostics import BinderyError, Diagnostic

Path_ = tuple[str | int, ...]


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


def load_yaml(text: str, filename: str, line_offset: int = 0) -> tuple[Any, LineMap, list[Diagnostic]]:
    """Parse YAML; return data, line map and duplicate-key diagnostics.

    Raises BinderyError (with file and line) on a syntax error.
    """
    loader = yaml.SafeLoader(text)
    node: yaml.Node | None = None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else None
        problem = exc.problem or "invalid YAML"
        row = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
        tabbed = "'\\t'" in problem or "\t" in row[: len(row) - len(row.lstrip())]
        raise BinderyError(
            Diagnostic(
                f"invalid YAML: {problem}",
                file=filename,
                line=line,
                hint="use spaces, not tabs, to indent YAML"
                if tabbed
                else "check indentation, colons and quotes on this line or the one before",
                code="yaml-syntax",
            )
        ) from None
    except yaml.YAMLError as exc:
        raise BinderyError(Diagnostic(f"invalid YAML: {exc}", file=filename, code="yaml-syntax")) from None
    except ValueError as exc:  # a value that looks like a date but is not one (2025-13-45)
        line, value = _bad_timestamp(node)
        raise BinderyError(
            Diagnostic(
                f"'{value}' is not a real date ({exc})" if value else f"invalid value: {exc}",
                file=filename,
                line=line + line_offset if line else None,
                hint="write dates as YYYY-MM-DD with a real month and day, or quote the text",
                code="yaml-value",
            )
        ) from None
    except RecursionError:
        raise BinderyError(
            Diagnostic(
                "the YAML is nested too deeply", file=filename, hint="use at most a few levels of lists and mappings", code="yaml-syntax"
            )
        ) from None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    duplicates: list[Diagnostic] = []
    if node is not None:
        _walk(node, (), lines, duplicates, filename, line_offset)
    return data, LineMap(lines, 1 + line_offset), duplicates


def _bad_timestamp(node: yaml.Node | None) -> tuple[int | None, str | None]:
    """The line and text of the first scalar YAML reads as a date but cannot build."""
    stack = [node] if node is not None else []
    checker = yaml.SafeLoader("")
    while stack:
        current = stack.pop(0)
        if isinstance(current, yaml.ScalarNode) and current.tag == "tag:yaml.org,2002:timestamp":
            try:
                checker.construct_yaml_timestamp(current)
            except ValueError:
                return current.start_mark.line + 1, str(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack[:0] = [n for pair in current.value for n in pair]
        elif isinstance(current, yaml.SequenceNode):
            stack[:0] = list(current.value)
    return None, None


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], dups: list[Diagnostic], filename: str, offset: int) -> None:
    lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                dups.append(
                    Diagnostic(
                        f"'{key}' is given twice; the last one would win",
                        file=filename,
                        line=key_node.start_mark.line + 1 + offset,
                        key=key_path(path + (key,)),
                        hint="remove one of them",
                        code="yaml-duplicate-key",
                    )
                )
            seen.add(key)
            lines[path + (key,)] = key_node.start_mark.line + 1 + offset
            _walk(value_node, path + (key,), lines, dups, filename, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), lines, dups, filename, offset)
