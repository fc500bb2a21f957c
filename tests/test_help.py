"""Every command, subcommand, option and argument has help text: now and as groups are added.

The tree is walked from ``typer.main.get_command(app)``, so a command group registered by
any module shows up here without touching this test.
"""

from __future__ import annotations

import typer

from qmstrack.cli.app import app


def walk(command, path):
    yield path, command
    if hasattr(command, "list_commands"):  # a group
        for name in command.list_commands(None):
            sub = command.get_command(None, name)
            assert sub is not None, f"{' '.join(path)} lists {name!r} but cannot load it"
            yield from walk(sub, [*path, name])


def all_commands(root=None):
    return list(walk(root or typer.main.get_command(app), ["qmstrack"]))


def test_the_tree_holds_the_record_commands():
    paths = {" ".join(path) for path, _ in all_commands()}
    expected = {
        "qmstrack init", "qmstrack db path", "qmstrack db backup",
        *(f"qmstrack {group} {cmd}" for group in ("service", "staff", "rule")
          for cmd in ("add", "list", "import")),
        "qmstrack unit add", "qmstrack unit list", "qmstrack staff show",
        *(f"qmstrack request {cmd}" for cmd in ("add", "update", "list", "show", "import")),
        *(f"qmstrack adherence {cmd}" for cmd in ("add", "update", "list", "stats", "import")),
        *(f"qmstrack document {cmd}" for cmd in ("add", "revise", "list", "show", "import")),
    }
    assert expected <= paths, expected - paths


def test_every_command_has_help():
    missing = [" ".join(path) for path, command in all_commands()
               if not (command.help or "").strip()]
    assert missing == []


def test_every_command_has_a_one_line_summary_that_is_not_cut_short():
    """Click cuts the summary at the first '. '; 'e.g. X' would show as 'e.g.'."""
    bad = []
    for path, command in all_commands():
        summary = command.get_short_help_str(limit=200)
        if not summary.strip() or summary.rstrip().endswith(("e.g.", "i.e.", "etc.")):
            bad.append((" ".join(path), summary))
    assert bad == []


def test_every_option_and_argument_has_help():
    missing = []
    for path, command in all_commands():
        for param in command.params:
            if "--help" in getattr(param, "opts", []):
                continue
            if not (getattr(param, "help", None) or "").strip():
                missing.append(f"{' '.join(path)} {param.name}")
    assert missing == []


def test_help_of_every_command_renders():
    """Render each help page from the one command tree (rebuilding it per page is slow)."""
    root = typer.main.get_command(app)
    contexts = {(): root.context_class(root, info_name="qmstrack")}
    for path, command in all_commands(root):
        key = tuple(path[1:])
        if key:
            contexts[key] = command.context_class(command, info_name=path[-1],
                                                  parent=contexts[key[:-1]])
        text = command.get_help(contexts[key])
        assert text.startswith("Usage: " + " ".join(path)), text[:80]
        assert (command.help or "").split()[0] in text


def test_group_help_through_the_cli(runner):
    result = runner.invoke(app, ["request", "--help"])
    assert result.exit_code == 0
    assert "Usage: qmstrack request" in result.stdout
    for command in ("add", "update", "list", "show", "import"):
        assert command in result.stdout


def test_installed_help(run_installed):
    result = run_installed("--help", input="")
    assert result.returncode == 0, result.stderr
    assert "Usage: qmstrack" in result.stdout
    for group in ("init", "db", "unit", "service", "staff", "rule", "request", "adherence"):
        assert group in result.stdout
    assert "\x1b[" not in result.stdout
    assert result.stderr == ""


def test_the_listed_summaries_are_the_commands_own():
    """'qmstrack --help' lists commands without importing them; the summaries it shows
    must be the ones the commands really have."""
    from qmstrack.cli.app import LAZY_COMMANDS, load_command

    for name, (_, summary) in LAZY_COMMANDS.items():
        assert load_command(name).get_short_help_str(limit=300) == summary, name


def test_every_command_module_registers_exactly_its_listed_commands():
    """One way to add commands: each module's ``register(root)``; what it adds is what
    the root lists for that module (a command left out would be unreachable)."""
    import importlib

    from qmstrack.cli.app import LAZY_COMMANDS

    modules = {module for module, _ in LAZY_COMMANDS.values()}
    for module in sorted(modules):
        holder = typer.Typer(add_completion=False)
        importlib.import_module(module).register(holder)
        added = set(typer.main.get_group(holder).commands)
        listed = {name for name, (m, _) in LAZY_COMMANDS.items() if m == module}
        assert added == listed, module


def test_help_and_version_import_no_command_module():
    import subprocess
    import sys

    code = ("import sys; from qmstrack.cli.app import main; sys.argv = ['qmstrack', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('qmstrack.cli.') and "
            "m not in ('qmstrack.cli.app', 'qmstrack.cli.options', 'qmstrack.cli.state', "
            "'qmstrack.cli.lang')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
