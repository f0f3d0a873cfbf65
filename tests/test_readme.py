"""The README stays true: its set-up commands are the ones CI runs, and its example runs."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_readme_has_the_two_setup_commands_and_ci_runs_the_test_one_verbatim():
    setup = [block.strip() for block in code_blocks("bash")[:2]]
    assert setup == ["pip install . && nn-playground", 'pip install -e ".[test]" && pytest']
    assert setup[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_readme_engine_example_runs_and_prints_what_it_claims(tmp_path):
    example = code_blocks("python")[0]
    result = subprocess.run(
        [sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Network(2-25-50-50-25-1, relu/sigmoid, 5,226 params)"
    accuracy = float(re.fullmatch(r"test accuracy (\d\.\d\d)", lines[1]).group(1))
    assert accuracy >= 0.97


def test_readme_shows_a_screenshot_that_exists():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert images, "the README shows no screenshot"
    for image in images:
        assert (ROOT / image).is_file(), image


def test_readme_shortcut_table_lists_exactly_the_windows_shortcuts(qtbot):
    from playground.help import shortcut_rows
    from playground.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    in_app = {
        keys.strip()
        for row in shortcut_rows(window)
        for keys in row.shortcuts.split(",")
        if keys.strip()
    }
    section = README.split("### Keyboard shortcuts", 1)[1].split("\n### ", 1)[0]
    in_readme = set(re.findall(r"`([^`]+)`", section))
    assert in_readme == in_app


def test_readme_api_table_names_every_public_name_of_nn_engine():
    import nn_engine

    section = README.split("The whole API", 1)[1].split("\n\n", 2)[1]
    documented = " ".join(re.findall(r"`([^`]+)`", section))
    missing = [name for name in nn_engine.__all__ if not re.search(rf"\b{name}\b", documented)]
    assert missing == []
