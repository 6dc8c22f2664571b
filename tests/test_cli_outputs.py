"""The command's side for a person: exit statuses, logs, the output folder, summary.json's schema."""

import io
import json
import os
import re
from importlib.resources import files

import jsonschema
import pandas as pd
import pytest
import torch

import sktopo
import sktopo.cli._demo
import sktopo.experiments
import sktopo.homology
import sktopo.profile
from sktopo.cli import main
from sktopo.filterbanks import primary_circle
from sktopo.profile import COLUMNS

SCHEMA = json.loads(files("sktopo.cli").joinpath("summary.schema.json").read_text(encoding="utf-8"))


def cli(argv, capsys):
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _summary(out) -> dict:
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def circle_file(tmp_path_factory):
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 400, 3), torch.nn.ReLU(), torch.nn.Conv2d(400, 2, 3))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(primary_circle(400), dtype=torch.float32).reshape(-1, 1, 3, 3))
    path = tmp_path_factory.mktemp("weights") / "circle.pt"
    torch.save(net.state_dict(), path)
    return str(path)


@pytest.fixture(scope="module")
def analyzed(circle_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("analyzed") / "out"
    assert main(["-q", "analyze", circle_file, "--resolution", "6", "--out", str(out)]) == 0
    return out


# -- exit statuses ------------------------------------------------------------------------------


def _raise(exc):
    def run(args):
        raise exc

    return run


@pytest.mark.parametrize(
    ("exc", "status", "message"),
    [
        (ValueError("data refused"), 1, "data refused"),
        (MemoryError(), 1, "out of memory; use fewer or smaller inputs"),
        (FileNotFoundError(2, "No such file or directory", "x.pt"), 1, "No such file or directory: 'x.pt'"),
        (RuntimeError("\x1b[1mbold\x1b[0m and\nmany\tlines"), 1, "error: bold and many lines$"),
        (IndexError("oops"), 1, r"IndexError: oops \(an internal error: rerun with -v for the traceback"),
        (KeyboardInterrupt(), 130, "interrupted$"),
    ],
)
def test_each_kind_of_failure_has_its_status_and_one_line(
    exc, status, message, monkeypatch, tmp_path, capsys
):
    monkeypatch.setattr(sktopo.cli._demo, "run", _raise(exc))
    got, out, err = cli(["demo", "--out", str(tmp_path)], capsys)
    assert got == status and out == "" and err.count("\n") == 1
    assert err.startswith("sktopo demo: ") and re.search(message, err.strip()), err
    assert "\x1b" not in err


def test_verbose_adds_the_traceback(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sktopo.cli._demo, "run", _raise(IndexError("oops")))
    status, _, err = cli(["demo", "-v", "--out", str(tmp_path)], capsys)
    assert status == 1 and err.startswith("Traceback") and err.rstrip().endswith("and report it)")


def test_quiet_and_verbose_together_are_a_bad_command_line(capsys):
    assert cli(["-q", "demo", "-v"], capsys)[::2] == (2, "sktopo demo: error: give -q or -v, not both\n")
    assert cli(["demo", "-q", "-v"], capsys)[0] == 2  # argparse: not allowed with


def test_a_refused_size_exits_1_before_any_training(monkeypatch, tmp_path, capsys):
    def refused(**kwargs):
        raise ValueError("n_networks=1000000000000 would need about 7.3 TiB of memory")

    monkeypatch.setattr(sktopo.experiments, "primary_circle", refused)
    status, _, err = cli(["demo", "--networks", str(10**12), "--out", str(tmp_path / "o")], capsys)
    assert (
        status == 1
        # in the command's words: the option, not primary_circle's parameter
        and err == "sktopo demo: error: --networks 1000000000000 would need about 7.3 TiB of memory\n"
    )
    assert not (tmp_path / "o").exists()  # a refused run leaves no folder behind


# -- logs -------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize(("terminal", "flags", "shown"), [(False, [], 0), (True, [], 1), (True, ["-q"], 0)])
def test_progress_bars_only_on_a_terminal(terminal, flags, shown, monkeypatch, tmp_path, capsys):
    asked = {}

    def spy(**kwargs):
        asked.update(kwargs)
        raise KeyboardInterrupt  # stop before any work

    monkeypatch.setattr(sktopo.experiments, "primary_circle", spy)
    if terminal:
        monkeypatch.setattr("sys.stderr", _Terminal())
    assert main([*flags, "demo", "--out", str(tmp_path / "o")]) == 130
    assert (asked["verbose"], asked["progress"]) == (shown, bool(shown))


def test_a_log_holds_lines_not_progress_bars(circle_file, tmp_path, capsys):
    path = tmp_path / "partly_constant.pt"
    state = torch.load(circle_file, weights_only=True)
    state["0.weight"][:40] = 0.0  # 40 constant filters: a warning
    torch.save(state, path)
    status, out, err = cli(["analyze", str(path), "--resolution", "6", "--out", str(tmp_path / "o")], capsys)
    assert status == 0 and "\r" not in out + err and "\x1b" not in out + err
    warnings = err.splitlines()
    assert warnings and all(re.fullmatch(r"sktopo analyze: warning: \S.*", line) for line in warnings), err
    assert any("constant" in line for line in warnings)
    assert out.startswith("This run ") and "wrote " in out


# -- the output folder --------------------------------------------------------------------------


def _snapshot(folder) -> dict:
    return {
        os.path.relpath(os.path.join(root, f), folder): os.stat(os.path.join(root, f)).st_mtime_ns
        for root, _, names in os.walk(folder)
        for f in names
    }


def test_a_non_empty_out_is_refused_and_left_as_it_is(circle_file, tmp_path, capsys, monkeypatch):
    def work(*args, **kwargs):
        raise AssertionError("the work started")

    monkeypatch.setattr(sktopo.profile, "topology_profile", work)
    monkeypatch.setattr(sktopo.experiments, "primary_circle", work)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    before = _snapshot(out)
    for argv in (["demo"], ["analyze", circle_file], ["profile", circle_file], ["reproduce", "fig13"]):
        status, _, err = cli([*argv, "--out", str(out)], capsys)
        assert status == 2 and err.count("\n") == 1, err
        assert f"--out {str(out)!r} is not empty (it holds notes.txt)" in err and "--force" in err
        assert _snapshot(out) == before


def test_force_replaces_an_earlier_runs_files_and_keeps_the_rest(circle_file, analyzed, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    for name in os.listdir(analyzed):  # an earlier analyze run, and files of the user's
        (out / name).write_bytes((analyzed / name).read_bytes())
    (out / "notes.txt").write_text("mine")
    (out / "checkpoints").mkdir()
    (out / "checkpoints" / "network_0.pt").write_text("kept")
    earlier = set(_summary(out)["files"])
    assert "mapper.png" in earlier
    argv = ["-q", "profile", circle_file, "--layers", "1", "--resolution", "6", "--out", str(out)]
    assert cli(argv, capsys)[0] == 2  # not empty
    assert cli([*argv, "--force"], capsys) == (0, "", "")
    now = set(_summary(out)["files"])
    assert set(os.listdir(out)) == now | {"notes.txt", "checkpoints"}  # analyze's mapper.png... are gone
    assert "mapper.png" not in now and "profile.csv" in now
    assert (out / "notes.txt").read_text() == "mine" and (out / "checkpoints" / "network_0.pt").exists()


def test_a_failed_run_keeps_the_earlier_runs_files_even_with_force(analyzed, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    for name in os.listdir(analyzed):
        (out / name).write_bytes((analyzed / name).read_bytes())
    before = _snapshot(out)
    pointwise = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3), torch.nn.Conv2d(8, 2, 1))
    torch.save(pointwise.state_dict(), tmp_path / "pointwise.pt")
    argv = ["analyze", str(tmp_path / "pointwise.pt"), "--layer", "2", "--out", str(out), "--force"]
    status, _, err = cli(argv, capsys)
    assert status == 1 and "--layer 2 is not analysed: 1 × 1 kernels" in err
    assert _snapshot(out) == before


def test_force_replaces_what_an_earlier_version_wrote(circle_file, analyzed, tmp_path, capsys):
    """A summary.json from before the list of files: --force replaces the names sktopo wrote then."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("report.html", "mapper.png", "barcodes.png", "notes.txt"):
        (out / name).write_text("old")
    (out / "summary.json").write_text(json.dumps({"verdict_level": "found", "model": "circle"}))
    argv = ["-q", "profile", circle_file, "--layers", "1", "--resolution", "6", "--out", str(out), "--force"]
    assert cli(argv, capsys) == (0, "", "")
    assert set(os.listdir(out)) == set(_summary(out)["files"]) | {"notes.txt"}


# -- summary.json ---------------------------------------------------------------------------------


def test_the_schema_describes_the_layer_records_as_profile_csv_names_them():
    layer = SCHEMA["$defs"]["layer"]
    assert layer["required"] == COLUMNS and list(layer["properties"]) == COLUMNS
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def _valid(summary) -> dict:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(summary)
    return summary


def test_analyze_summary_follows_the_schema(analyzed, circle_file):
    summary = _valid(_summary(analyzed))
    assert (summary["schema_version"], summary["command"]) == (1, "analyze")
    assert summary["argv"] == ["-q", "analyze", circle_file, "--resolution", "6", "--out", str(analyzed)]
    assert summary["sktopo_version"] == sktopo.__version__
    assert {"torch", "scikit-learn", "ripser"} <= set(summary["versions"])
    assert summary["verdict"]["level"] == summary["layers"][0]["verdict"] and summary["shape"] == "circle"
    assert summary["n_networks"] == 1


def test_profile_summary_and_csv_use_the_same_names(circle_file, tmp_path, capsys):
    out = tmp_path / "profile"
    argv = ["-q", "profile", circle_file, "--layers", "1-2", "--resolution", "6", "--out", str(out)]
    assert cli(argv, capsys)[0] == 0
    summary = _valid(_summary(out))
    table = pd.read_csv(out / "profile.csv")
    assert list(table.columns) == COLUMNS == list(summary["layers"][0])
    assert [row["layer"] for row in summary["layers"]] == table.layer.tolist() == [1, 2]
    assert summary["shape"] is None and summary["verdict"]["level"] in sktopo.homology.LEVELS
    assert summary["verdict"]["reasons"][0].endswith("layer(s) show a circle: [1]")


def test_demo_and_reproduce_summaries_follow_the_schema(tmp_path, capsys):
    tiny = ["--networks", "2", "--iterations", "3", "--resolution", "5"]
    assert cli(["-q", "demo", *tiny, "--out", str(tmp_path / "demo")], capsys)[0] == 0
    demo = _valid(_summary(tmp_path / "demo"))
    assert demo["command"] == "demo" and demo["n_networks"] == 2 and len(demo["layers"]) == 1
    params = ["--param", "max_iter=4", "--param", "eval_every=2", "--param", "n_repeats=1"]
    params += ["--param", "n_filters=4", "--param", 'spec="M(4,2,8)"']
    argv = ["-q", "reproduce", "fig13", *params, "--out", str(tmp_path / "fig13")]
    assert cli(argv, capsys)[0] == 0
    fig13 = _valid(_summary(tmp_path / "fig13"))
    assert fig13["command"] == "reproduce" and fig13["layers"] == [] and fig13["shape"] is None
    assert fig13["measured"]["experiment"] == "fig13" and "speedup" in fig13["measured"]


def test_the_report_shown_in_the_docs_follows_the_schema():
    """docs/reading_the_report.md reads a real summary.json: it must be one the command writes today."""
    path = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "report", "summary.json")
    summary = _valid(_summary(os.path.dirname(path)))
    assert (summary["command"], summary["argv"], summary["verdict"]["level"]) == ("demo", ["demo"], "found")
