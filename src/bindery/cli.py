"""The `bindery` command line: a group of one module per verb, each loaded when it runs.

Errors the user can fix (`BinderyError`) become messages and exit code 1;
anything else is an internal error, reported in one line (with the
traceback only under --debug). See `bindery.commands.common`.
"""

from __future__ import annotations

# isort: off
from bindery import interrupts  # first: Ctrl-C while the rest loads exits 130 quietly

# isort: on
import importlib

import click

from bindery import __version__

#: Each verb's module and command, imported when that verb runs (or --help lists them all):
#: `bindery new` need not load the layout and check modules (0.03 s instead of 0.8 s).
COMMANDS = {
    "build": ("bindery.commands.build", "build_command"),
    "check": ("bindery.commands.check", "check_command"),
    "import": ("bindery.commands.importing", "import_command"),
    "new": ("bindery.commands.new", "new_command"),
    "serve": ("bindery.commands.serve", "serve_command"),
}


class BinderyGroup(click.Group):
    """A group that loads a command's module when it is used, and whose command list shows each
    summary whole (wrapped), never cut with '...'."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), name)
        interrupts.restore()  # loaded: from here Ctrl-C is the command's to handle (reports_errors)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=BinderyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bindery")
def main() -> None:
    """Bindery compiles articles into an EPUB 3 and a print-ready PDF."""
