"""Dataclasses to JSON bytes and back, checked against their type hints: the build cache's codec.

Never pickle: a cache entry is data, and `decode` rebuilds only the types it
is asked for, checking every field against the dataclass's annotations
(str, int, bool, None, unions, Literal, tuple[X, ...], tuple[X, Y], list[X],
dict[str, X] and Mapping[str, X] (as a dict), nested dataclasses). Anything else raises ValueError, which the
cache treats as a miss.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import json
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def encode(value: object) -> bytes:
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def decode(data: bytes, kind: type[T]) -> T:
    """`data` as a `kind`; ValueError when it is not one."""
    try:
        plain = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"not a cached {kind.__name__}: {exc}") from None
    result: T = _build(plain, kind)
    return result


def _plain(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("only dicts with str keys can be cached")
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"{type(value).__name__} cannot be cached")


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _build(plain: Any, hint: Any) -> Any:
    """`plain` (parsed JSON) as a value of type `hint`; ValueError when it is not one."""
    if hint is Any:
        raise ValueError("untyped field")
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build_dataclass(plain, hint)
    origin = typing.get_origin(hint)
    builder = _BUILDERS.get(origin) if origin is not None else None
    if builder is not None:
        return builder(plain, typing.get_args(hint), hint)
    return _build_scalar(plain, hint)


def _build_dataclass(plain: Any, kind: type) -> Any:
    if not isinstance(plain, dict):
        raise ValueError(f"{kind.__name__}: expected an object")
    fields = {f.name: f for f in dataclasses.fields(kind)}
    if set(plain) != set(fields):
        raise ValueError(f"{kind.__name__}: fields differ")
    hints = _hints(kind)
    return kind(**{name: _build(plain[name], hints[name]) for name in fields})


def _build_union(plain: Any, args: tuple[Any, ...], hint: Any) -> Any:
    for option in args:
        try:
            return _build(plain, option)
        except ValueError:
            continue
    raise ValueError(f"{plain!r:.40} is none of {hint}")


def _build_literal(plain: Any, args: tuple[Any, ...], _hint: Any) -> Any:
    if plain in args and type(plain) is type(args[args.index(plain)]):
        return plain
    raise ValueError(f"{plain!r:.40} is not one of {args}")


def _build_tuple(plain: Any, args: tuple[Any, ...], _hint: Any) -> Any:
    if not isinstance(plain, list):
        raise ValueError("expected a list")
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_build(v, args[0]) for v in plain)
    if len(args) != len(plain):
        raise ValueError("tuple of the wrong length")
    return tuple(_build(v, a) for v, a in zip(plain, args, strict=True))


def _build_list(plain: Any, args: tuple[Any, ...], _hint: Any) -> Any:
    if not isinstance(plain, list):
        raise ValueError("expected a list")
    return [_build(v, args[0]) for v in plain]


def _build_mapping(plain: Any, args: tuple[Any, ...], _hint: Any) -> Any:
    if not isinstance(plain, dict) or args[0] is not str:
        raise ValueError("expected an object")
    return {k: _build(v, args[1]) for k, v in plain.items()}


_BUILDERS: dict[Any, Callable[[Any, tuple[Any, ...], Any], Any]] = {
    typing.Union: _build_union,
    types.UnionType: _build_union,
    typing.Literal: _build_literal,
    tuple: _build_tuple,
    list: _build_list,
    dict: _build_mapping,
    collections.abc.Mapping: _build_mapping,
}


def _build_scalar(plain: Any, hint: Any) -> Any:
    """None, str, bool, int and float, each only from its own JSON type (an int is a float too)."""
    if hint is type(None):
        if plain is None:
            return None
        raise ValueError("expected null")
    if hint in (str, bool, int):
        if type(plain) is hint:
            return plain
        raise ValueError(f"expected {hint.__name__}")
    if hint is float:
        if type(plain) in (int, float):
            return float(plain)
        raise ValueError("expected float")
    raise ValueError(f"cannot decode {hint}")
