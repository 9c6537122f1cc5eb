"""The command reference as the CLI's own `--help` gives it: what the guide's appendix must say.

Shared by tests/test_docs.py (which compares the appendix with it) and handy
for regenerating the tables: `python3 tests/cli_reference.py` prints them.
"""

from __future__ import annotations

import re

import click

from bindery.cli import main

_DEFAULT = re.compile(r"\s*[\[(]default: (?P<value>[^\])]*)[\])]")


def commands() -> list[tuple[str, click.Command, click.Context]]:
    root = click.Context(main, info_name="bindery")
    found = []
    for name in main.list_commands(root):
        command = main.get_command(root, name)
        assert command is not None
        found.append((name, command, click.Context(command, info_name=name, parent=root)))
    return found


def usage(name: str, command: click.Command, ctx: click.Context) -> str:
    return " ".join(["bindery", name, *command.collect_usage_pieces(ctx)])


def summary(command: click.Command) -> str:
    return command.get_short_help_str(limit=10_000)


def option_rows(command: click.Command, ctx: click.Context) -> list[tuple[str, str, str]]:
    """(option, default, effect) for every option but --help, as `--help` prints them."""
    rows = []
    for param in command.get_params(ctx):
        if not isinstance(param, click.Option) or "--help" in param.opts:
            continue  # arguments are in the usage line (Click 8.5 gives them help records too)
        record = param.get_help_record(ctx)
        if record is None:
            continue
        names, text = record
        text = " ".join(text.split())
        match = _DEFAULT.search(text)
        if match is not None:
            default = match.group("value").split(";")[0].strip()
            text = (text[: match.start()] + text[match.end() :]).strip()
        elif isinstance(param, click.Option) and param.is_flag:
            default = "off"
        else:
            default = "none"
        rows.append((names, default, text))
    return rows


def markdown_tables() -> str:
    out = ["| Command | What it does |", "|---|---|"]
    for name, command, ctx in commands():
        out.append(f"| `{usage(name, command, ctx)}` | {summary(command)} |")
    for name, command, ctx in commands():
        out += ["", f"## Options of `bindery {name}`", "", "| Option | Default | Effect |", "|---|---|---|"]
        out += [f"| `{names}` | {default} | {text} |" for names, default, text in option_rows(command, ctx)]
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown_tables())
