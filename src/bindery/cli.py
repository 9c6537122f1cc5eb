"""The `bindery` command line: a group that registers one module per verb.

Errors the user can fix (`BinderyError`) become messages and exit code 1;
anything else is an internal error, reported in one line (with the
traceback only under --debug). See `bindery.commands.common`.
"""

from __future__ import annotations

# isort: off
from bindery import interrupts  # first: Ctrl-C while the rest loads exits 130 quietly

# isort: on
import click

from bindery import __version__
from bindery.commands.build import build_command
from bindery.commands.check import check_command
from bindery.commands.importing import import_command
from bindery.commands.new import new_command
from bindery.commands.serve import serve_command


class BinderyGroup(click.Group):
    """A group whose command list shows each summary whole (wrapped), never cut with '...'."""

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


main.add_command(build_command)
main.add_command(check_command)
main.add_command(import_command)
main.add_command(new_command)
main.add_command(serve_command)
interrupts.restore()
