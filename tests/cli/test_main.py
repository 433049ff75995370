import pytest

from fer_bench.cli import main

from .support import one_error_line


@pytest.mark.parametrize("command", [[], ["run"], ["report"], ["compare"], ["list"], ["data"], ["data", "info"],
                                     ["data", "audit"], ["predict"], ["live"], ["serve"], ["study"],
                                     ["study", "resize"], ["evaluate"]])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit:
        main([*command, "--help"])
    assert exit.value.code == 0
    assert "usage:" in capsys.readouterr().out


@pytest.mark.parametrize("code, kind", [("raise RuntimeError('boom')", "RuntimeError"),
                                        ("import os\nos.no_such_function()", "AttributeError")])
def test_a_failing_plugin_is_one_error_line_and_debug_shows_the_traceback(code, kind, tmp_path, capsys):
    plugin = tmp_path / "bad_plugin.py"
    plugin.write_text(code + "\n")
    assert main(["list", "--plugin", str(plugin)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"--plugin {plugin}: importing it failed: {kind}" in line
    assert main(["--debug", "list", "--plugin", str(plugin)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and kind in err and err.strip().splitlines()[-1].startswith("error: --plugin")
