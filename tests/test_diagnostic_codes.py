"""Every diagnostic code in the source is documented, and every documented code exists.

The codes are collected from the source with `ast`, so the list stays true as
code is added: `code="..."` keywords, a typography `Rule("code", ...)`, a
`Check("name", ...)` of `bindery check`, a sanitizer `warn(message, needle,
hint, "code")`, and the string defaults and arguments of the `_check_*`
preflight helpers.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from bindery.cli import main
from bindery.diagnostic_codes import CODES, IGNORABLE, check_ignorable, ignore_problem, markdown_table
from bindery.diagnostics import BinderyError, Check, Diagnostic, without_ignored

SRC = Path(__file__).resolve().parents[1] / "src" / "bindery"
DOC = Path(__file__).resolve().parents[1] / "docs" / "DIAGNOSTICS.md"


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


PDF_RULES = ("check_fonts", "check_interactive")  # PDF preflight rules shared by the interior and the cover check


def _text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def codes_in(tree: ast.AST) -> dict[str, int]:
    """Every code literal in a module, with the line of its first use."""
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        literals: list[ast.expr] = []
        if isinstance(node, ast.Call):
            name = _name(node)
            literals += [k.value for k in node.keywords if k.arg == "code"]
            if name in ("Rule", "Check") and node.args:
                literals.append(node.args[0])
            if name == "warn" and len(node.args) == 4:
                literals.append(node.args[3])
            if name.startswith("_check") or name in PDF_RULES:
                literals += node.args
        elif isinstance(node, ast.FunctionDef) and (node.name.startswith("_check") or node.name in PDF_RULES):
            literals += node.args.defaults
        for literal in literals:
            if (code := _text(literal)) is not None:
                found.setdefault(code, literal.lineno)
    return found


def source_codes() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        for code, line in codes_in(ast.parse(path.read_text(encoding="utf-8"))).items():
            found.setdefault(code, f"{path.relative_to(SRC.parent)}:{line}")
    return found


def test_every_code_in_the_source_is_documented() -> None:
    missing = {code: where for code, where in source_codes().items() if code not in CODES}
    assert not missing, f"add these codes to src/bindery/diagnostic_table.py, then regenerate docs/DIAGNOSTICS.md: {missing}"


def test_every_documented_code_is_used() -> None:
    unused = sorted(set(CODES) - set(source_codes()))
    assert not unused, f"documented but never used; remove them from src/bindery/diagnostic_table.py: {unused}"


def test_docs_table_is_the_registry() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text == markdown_table(), "run: python3 -m bindery.diagnostic_codes > docs/DIAGNOSTICS.md"
    assert all(f"| `{code}` |" in text for code in CODES)


def test_every_diagnostic_in_the_source_names_its_code() -> None:
    """A Diagnostic(...) or report.error/warn(...) without code= would print no stable code."""
    bare = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "diagnostics.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            is_report = (
                isinstance(func, ast.Attribute)
                and func.attr in ("error", "warn")
                and not (isinstance(func.value, ast.Name) and func.value.id == "self")
            )
            if (
                (_name(node) == "Diagnostic" or is_report)
                and not any(k.arg in ("code", None) for k in node.keywords)
                and len(node.args) < 4
            ):
                bare.append(f"{path.relative_to(SRC.parent)}:{node.lineno}")
    assert not bare, f"give these a code=: {bare}"


def test_the_scanner_finds_each_form() -> None:
    tree = ast.parse(
        "Diagnostic('m', code='a-code')\nRule('b-code', 'what', 'hint', f)\nCheck('c-code', t, 'pass', 's')\n"
        "warn('m', 'n', 'h', 'd-code')\ndef _check_x(r, t, name='e-code'): ...\n_check_x(r, t, 'f-code')\n"
    )
    assert set(codes_in(tree)) == {"a-code", "b-code", "c-code", "d-code", "e-code", "f-code"}


def test_a_diagnostic_ends_with_its_code() -> None:
    d = Diagnostic(
        "the book has no title",
        file="book/book.yaml",
        line=4,
        key="title",
        hint="add a line such as 'title: My Book'",
        code="manifest-title-missing",
    )
    assert str(d) == "book/book.yaml:4: title: the book has no title (add a line such as 'title: My Book') [manifest-title-missing]"
    w = Diagnostic("related entry refers to the article itself", file="b/x.md", line=2, severity="warning", code="xref-self")
    assert str(w) == "b/x.md:2: warning: related entry refers to the article itself [xref-self]"


def test_ignoring_keeps_errors_and_drops_named_warnings() -> None:
    kept = Diagnostic("bad", code="manifest-trim")
    dropped = Diagnostic("w", severity="warning", code="xref-ambiguous")
    other = Diagnostic("w", severity="warning", code="xref-self")
    assert without_ignored([kept, dropped, other], ["xref-ambiguous", "manifest-trim"]) == [kept, other]


def test_only_known_warning_codes_can_be_ignored() -> None:
    assert ignore_problem("xref-ambiguous") is None and "typography-widow-orphan" in IGNORABLE
    unknown = ignore_problem("xref-ambigous")
    assert unknown is not None and "did you mean 'xref-ambiguous'" in unknown[1]
    error = ignore_problem("manifest-trim")
    assert error is not None and "errors cannot be ignored" in error[1]
    with pytest.raises(BinderyError) as caught:
        check_ignorable(["xref-self", "manifest-trim"])
    assert [d.code for d in caught.value.diagnostics] == ["ignore-code"]


def test_an_ignored_check_or_finding_no_longer_warns() -> None:
    finding = Diagnostic("unused", severity="warning", code="index-unused")
    other = Diagnostic("see", severity="warning", code="index-see-missing")
    check = Check("index", "book", "warn", "2 warning(s)", findings=(finding, other))
    assert check.ignoring(["index-unused"]).status == "warn" and check.ignoring(["index-unused"]).findings == (other,)
    assert check.ignoring(["index-unused", "index-see-missing"]).status == "pass"
    assert check.ignoring(["index"]).status == "skip"
    failed = Check("pdf-boxes", "x.pdf", "fail", "wrong boxes")
    assert failed.ignoring(["pdf-boxes"]) is failed


BOOK_YAML = "title: A Test Book\nchapters:\n  - chapters/one.md\n  - chapters/two.md\n"
ONE = "---\ntitle: One\nsummary: The first article about kilns\n---\n\nText of one.\n"
TWO = "---\ntitle: Two\nrelated:\n  - summary: The first article about kilns\n  - summary: Nothing here\n    ref: nowhere\n---\n\nText of two.\n"


def _book(root: Path, extra: str = "") -> Path:
    (root / "chapters").mkdir(parents=True)
    (root / "book.yaml").write_text(BOOK_YAML + extra, encoding="utf-8")
    (root / "chapters" / "one.md").write_text(ONE, encoding="utf-8")
    (root / "chapters" / "two.md").write_text(TWO, encoding="utf-8")
    return root


def _build(cwd: Path, *args: str) -> tuple[int, str]:
    here = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["build", *args, "--format", "epub", "--no-page-list"])
    finally:
        os.chdir(here)
    return result.exit_code, result.output


def test_ignore_on_the_command_line(tmp_path: Path) -> None:
    _book(tmp_path / "book")
    code, out = _build(tmp_path, "book", "--strict", "-o", "out")
    assert code == 1 and "[xref-unknown-ref]" in out and "[strict]" in out, out
    code, out = _build(tmp_path, "book", "--strict", "--ignore", "xref-unknown-ref", "-o", "out")
    assert code == 0 and "xref-unknown-ref" not in out and "warnings: 0 (1 ignored)" in out, out


def test_ignore_refuses_errors_and_unknown_codes(tmp_path: Path) -> None:
    _book(tmp_path / "book")
    code, out = _build(tmp_path, "book", "--ignore", "manifest-trim", "--ignore", "xref-unknwn-ref", "-o", "out")
    assert code == 1, out
    assert "--ignore: 'manifest-trim' is an error, not a warning (errors cannot be ignored; fix the problem instead) [ignore-code]" in out
    assert "did you mean 'xref-unknown-ref'?" in out
    assert not (tmp_path / "out").exists()


def test_ignore_warnings_in_book_yaml(tmp_path: Path) -> None:
    _book(tmp_path / "book", "ignore_warnings: [xref-unknown-ref]\n")
    code, out = _build(tmp_path, "book", "--strict", "-o", "out")
    assert code == 0 and "warnings: 0 (1 ignored)" in out, out


def test_ignore_warnings_in_book_yaml_is_validated(tmp_path: Path) -> None:
    _book(tmp_path / "book", "ignore_warnings:\n  - xref-self\n  - manifest-trim\n  - xref-ambigous\n")
    code, out = _build(tmp_path, "book", "-o", "out")
    assert code == 1, out
    assert "book/book.yaml:7: ignore_warnings[1]: 'manifest-trim' is an error, not a warning" in out, out
    assert (
        "book/book.yaml:8: ignore_warnings[2]: 'xref-ambigous' is not a diagnostic code (did you mean 'xref-ambiguous'?) [manifest-ignore-code]"
        in out
    )


def test_files_are_named_from_the_working_folder(tmp_path: Path) -> None:
    """One path style: run from the book's parent, every file carries the book folder."""
    _book(tmp_path / "book")
    (tmp_path / "book" / "chapters" / "one.md").write_text(ONE + "\n<script>x()</script>\n", encoding="utf-8")
    code, out = _build(tmp_path, "book", "-o", "out")
    warnings = [line.strip() for line in out.splitlines() if "warning:" in line]
    assert code == 0 and len(warnings) == 2, out
    assert any(w.startswith("book/chapters/one.md:") and "[html-removed]" in w for w in warnings), warnings
    assert any(w.startswith("book/chapters/two.md:") and "[xref-unknown-ref]" in w for w in warnings), warnings
    code, out = _build(tmp_path / "book", ".", "-o", "../out2")
    assert code == 0 and "    chapters/two.md:" in out and "book/chapters" not in out, out


def test_check_ignores_named_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`bindery check --strict` fails on a warning unless its code is ignored (command line or book.yaml)."""
    import bindery.checks.run as check_module

    book = _book(tmp_path / "book")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("a-test-book.epub", "a-test-book.pdf"):
        (out / name).write_bytes(b"stub")  # present, so check does not build
    unused = Diagnostic("index term 'x' is found nowhere in the book", file="book/index.yaml", severity="warning", code="index-unused")
    found = [Check("index", "book", "warn", "1 warning(s)", findings=(unused,)), Check("pdf-boxes", "x.pdf", "pass", "ok")]
    monkeypatch.setattr(check_module, "run_checks", lambda manifest, outputs: found)

    def check(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["check", str(book), "-o", str(out), "--strict", *args])
        return result.exit_code, result.output

    code, text = check()
    assert code == 1 and "[index-unused]" in text, text
    code, text = check("--ignore", "index-unused")
    assert code == 0 and "[index-unused]" not in text and "(1 ignored)" in text, text
    code, text = check("--ignore", "pdf-boxes", "--ignore", "strict")
    assert code == 1 and "'strict' is an error, not a warning" in text and "Checking" not in text, text
    (book / "book.yaml").write_text(BOOK_YAML + "ignore_warnings: [index]\n", encoding="utf-8")
    code, text = check()
    assert code == 0 and "skip  index: ignored (index)" in text, text
