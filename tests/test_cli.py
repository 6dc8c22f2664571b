import html
import importlib.metadata
import json
import os
import pickle
import re
import shlex
import subprocess
import sys
from importlib.resources import files

import jsonschema
import numpy as np
import pandas as pd
import pytest
import torch

import sktopo
import sktopo.cli._demo
import sktopo.cli._reproduce
import sktopo.profile
from sktopo.cli import main
from sktopo.filterbanks import gaussian, primary_circle


def cli(argv, capsys):
    """``(status, stdout, stderr)`` of ``sktopo argv``, argparse's exits included."""
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _net(filters):
    """A two-layer network whose first layer holds ``filters`` (n, 3, 3)."""
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, len(filters), 3), torch.nn.ReLU(), torch.nn.Conv2d(len(filters), 1, 3)
    )
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(filters, dtype=torch.float32).reshape(-1, 1, 3, 3))
    return net


@pytest.fixture(scope="module")
def circle_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("weights") / "circle.pt"
    torch.save(_net(primary_circle(400)).state_dict(), path)
    return str(path)


def _layer(out) -> dict:
    """The one layer record of ``out``'s summary.json."""
    (layer,) = _summary(out)["layers"]
    return layer


def _summary(out) -> dict:
    """summary.json of ``out``, read as strict JSON (no NaN or Infinity)."""

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
        return json.load(f, parse_constant=refuse)


def test_version(capsys):
    assert cli(["--version"], capsys) == (0, f"sktopo {sktopo.__version__}\n", "")


@pytest.mark.parametrize("command", [[], ["demo"], ["analyze"], ["profile"], ["reproduce"]])
def test_help_on_every_command(command, capsys):
    status, out, _ = cli([*command, "--help"], capsys)
    assert status == 0
    assert out.startswith(f"usage: sktopo {' '.join(command)}".rstrip())
    assert "-q, --quiet" in out


def test_console_script_and_module():
    (entry,) = [e for e in importlib.metadata.entry_points(group="console_scripts") if e.name == "sktopo"]
    assert entry.value == "sktopo.cli:main"
    done = subprocess.run(
        [sys.executable, "-m", "sktopo", "demo", "--networks", "-3"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


BAD = [
    ([], "the following arguments are required: command"),
    (["bogus"], "invalid choice: 'bogus'"),
    (["demo", "--networks", "0"], "--networks: must be an integer >= 1; got '0'"),
    (["demo", "--iterations", "many"], "--iterations: must be an integer >= 1; got 'many'"),
    (["demo", "--random-state", "-1"], r"--random-state: must be an integer in \[0, 4294967295\]; got .-1."),
    (["demo", "--device", "tpu", "--networks", "1", "--iterations", "1"], "device must be None or"),
    (["analyze", "missing.pt"], "no such file or folder: 'missing.pt'"),
    (["analyze", "x.pt", "--k", "0"], "--k: must be an integer >= 1 or a fraction"),
    (["analyze", "x.pt", "--p", "1.5"], r"--p: must be a number in \(0, 1\]; got '1.5'"),
    (["analyze", "x.pt", "--p", "nan"], "--p: must be a number in"),
    (["profile", "x.pt", "--layers", "0-2"], "--layers: must be layer numbers from 1 to 10000"),
    (["profile", "x.pt", "--layers", "3-1"], "--layers: must be layer numbers"),
    (["profile", "x.pt", "--layers", "1-"], "--layers: must be layer numbers"),
    (["profile", "x.pt", "--layers", "1-100000000"], "--layers: must be layer numbers from 1 to 10000"),
    (["analyze", "x.pt", "--gain", "1"], r"--gain: must be a number > 1; got '1'"),
    (["analyze", "x.pt", "--resolution", "1000000000"], r"--resolution: must be an integer in \[1, 1000\]"),
    (["demo", "--resolution", "0"], r"--resolution: must be an integer in \[1, 1000\]; got '0'"),
    (
        ["analyze", "x.pt", "--n-jobs", "0"],
        r"--n-jobs: must be -1 \(every core\) or an integer >= 1; got '0'",
    ),
    (
        ["profile", "x.pt", "--n-jobs", "-2"],
        r"--n-jobs: must be -1 \(every core\) or an integer >= 1; got '-2'",
    ),
    (["profile", "x.pt", "--n-jobs", "all"], r"--n-jobs: must be -1"),
    (["analyze", "x.pt", "--netw", "3"], "unrecognized arguments: --netw"),
    (["demo", "--random-state", "4294967296"], r"--random-state: must be an integer in \[0, 4294967295\]"),
    (["reproduce", "fig99"], "invalid choice: 'fig99'"),
    (["reproduce", "fig13", "--data-root", "data"], "--data-root is for --scale paper"),
    (["demo", "--networks", "1_0"], "--networks: must be an integer >= 1; got '1_0'"),
    (["demo", "--networks", "\uff13"], "--networks: must be an integer >= 1"),
    (["reproduce", "fig12", "--scale", "paper"], "give --data-root"),
    (["reproduce", "fig12", "--param", "nonsense"], "must be NAME=VALUE"),
    (
        ["reproduce", "fig12", "--param", "bogus=1"],
        r"fig12 \(persistence_vs_accuracy\) takes --param .*n_networks",
    ),
    (["reproduce", "fig13", "--param", "dataset=1"], "got \\['dataset'\\]"),
    (["reproduce", "fig2", "--param", "networks=0"], "fig2 takes --param networks, iterations, resolution"),
    (["reproduce", "fig2", "--param", "seeds=3"], "got {'seeds': 3}"),
    (
        ["reproduce", "fig13", "--param", "max_iter=-5"],
        r"--param max_iter: must be an int in the range \[1, inf\)",
    ),
    (["reproduce", "evolution", "--param", "layers=[99]"], r"--param layers: must be distinct conv layers"),
    (
        ["reproduce", "fig12", "--param", "n_groups=9", "--param", "n_networks=2"],
        "--param n_groups: must be at most",
    ),
    (["demo", "--out", ""], "--out must name a folder; got ''"),
    (
        ["reproduce", "fig2", "--param", "resolution=1001"],
        r"resolution at most 1000\); got {'resolution': 1001}",
    ),
]


@pytest.mark.parametrize(("argv", "message"), BAD)
def test_bad_arguments_end_in_one_line_and_status_2(argv, message, capsys, tmp_path):
    commands = ("demo", "analyze", "profile", "reproduce")
    status, out, err = cli(
        [*argv, "--out", str(tmp_path / "out")]
        if argv[:1] in [[c] for c in commands] and "--out" not in argv
        else argv,
        capsys,
    )
    assert status == 2 and out == ""
    assert err.startswith("sktopo") and err.count("\n") == 1 and "Traceback" not in err
    assert re.search(message, err), err
    assert not (tmp_path / "out").exists()  # refused before any work


class _Hostile:
    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_bad_files_end_in_one_line_and_the_status_of_their_kind(circle_file, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.pt").write_text("not weights")
    hostile = _Hostile()
    hostile.marker = tmp_path / "pwned"
    with open(tmp_path / "hostile.pt", "wb") as f:
        pickle.dump({"conv.weight": hostile}, f)
    torch.save(torch.nn.Linear(4, 2).state_dict(), tmp_path / "dense.pt")
    cases = [
        (["analyze", str(tmp_path / "dense.pt")], 1, "holds no conv layer"),
        (["analyze", str(tmp_path / "empty")], 2, "holds no weights file"),
        (["analyze", str(tmp_path / "notes.pt")], 1, "it is not a file of tensors written by torch.save"),
        (["profile", str(tmp_path / "hostile.pt")], 1, "it is not a file of tensors written by torch.save"),
        (
            ["analyze", str(tmp_path / "whole.pt")],
            1,
            r"holds Python objects \(torch.nn.modules.conv.Conv2d\)",
        ),
        (
            ["analyze", circle_file, "--arch", "nonet"],
            2,
            "--arch nonet: name must be a torchvision classification model",
        ),
        (
            ["analyze", "resnet18", "--arch", "resnet18"],
            2,
            "no such file or folder: 'resnet18' \\(with --arch",
        ),
        (["analyze", "resnet181"], 2, "nor a network by that name: .* Did you mean 'resnet18'"),
        (["profile", "resnet18", "ResNet18"], 2, "'ResNet18' is 'resnet18' again: give each network once"),
        (["analyze", circle_file, "--arch", "vgg11"], 2, "does not hold vgg11 weights"),
        (["analyze", circle_file, "--layer", "3"], 2, "--layer 3: the networks have 2 conv layer"),
        (["profile", circle_file, "--layers", "1,5"], 2, "--layers 5: the networks have 2 conv layer"),
        (["profile", circle_file, "--k", "500"], 1, "too few for .*Give a smaller k"),
        (
            ["-q", "analyze", str(tmp_path / "pointwise.pt"), "--layer", "2"],
            1,
            "--layer 2 is not analysed: 1 × 1 kernels",
        ),
        (["analyze", circle_file, circle_file], 2, "is .* again: give each network once"),
        (["analyze", circle_file, "--out", circle_file], 2, "--out .* is a file; give a folder"),
    ]
    pointwise = torch.nn.Sequential(torch.nn.Conv2d(1, 400, 3), torch.nn.Conv2d(400, 2, 1))
    torch.save(pointwise.state_dict(), tmp_path / "pointwise.pt")
    torch.save(pointwise[0], tmp_path / "whole.pt")  # a whole module, not a state_dict
    for i, (argv, expected, message) in enumerate(cases):
        out = tmp_path / f"out{i}"
        status, _, err = cli([*argv, "--out", str(out)] if "--out" not in argv else argv, capsys)
        assert not out.exists()  # a refused or failed run leaves no folder behind
        assert status == expected and err.count("\n") == 1 and re.search(message, err), (argv, err)
        # sktopo's words only: no torch advice to unpickle, no terminal codes, no traceback
        assert "weights_only` set to `False`" not in err and "\x1b" not in err and "Traceback" not in err
    assert not hostile.marker.exists()


def test_out_must_be_a_writable_folder_before_any_work(circle_file, tmp_path, capsys, monkeypatch):
    def work(*args, **kwargs):
        raise AssertionError("the work started before --out was checked")

    monkeypatch.setattr(sktopo.experiments, "primary_circle", work)
    monkeypatch.setattr(sktopo.cli._reproduce, "_function", work)
    monkeypatch.setattr(sktopo.profile, "topology_profile", work)
    (tmp_path / "a_file").write_text("")
    for argv in (["demo"], ["reproduce", "fig13"], ["profile", circle_file]):
        for out in (tmp_path / "a_file", tmp_path / "a_file" / "below"):
            status, _, err = cli([*argv, "--out", str(out)], capsys)
            assert status == 2 and err.count("\n") == 1 and "--out" in err, err
            assert sorted(os.listdir(tmp_path)) == ["a_file"]


def test_analyze_a_saved_state_dict(circle_file, tmp_path, capsys):
    out = tmp_path / "circle"
    status, stdout, err = cli(["-q", "analyze", circle_file, "--resolution", "8", "--out", str(out)], capsys)
    assert (status, stdout, err) == (0, "", "")
    summary, layer = _summary(out), _layer(out)
    assert (layer["n_filters"], layer["k"], layer["n_dense"]) == (400, 13, 120)
    assert layer["n_significant_h1"] == 1 and layer["shape"] == summary["shape"] == "circle"
    lifetimes = summary["measured"]["h1_lifetimes"]
    assert lifetimes == sorted(lifetimes, reverse=True) and lifetimes[0] == pytest.approx(layer["h1_top"])
    assert lifetimes[0] > layer["threshold"] >= 2 * layer["band"]
    assert summary["verdict"]["level"] == layer["verdict"] in ("found", "borderline")
    assert summary["verdict"]["reasons"] and summary["n_networks"] == 1
    assert summary["parameters"]["mapper_resolution"] == 8 and summary["parameters"]["layer"] == 1
    files = {"report.html", "dense_core.png", "barcodes.png", "null.png", "mapper.png", "summary.json"}
    assert set(os.listdir(out)) == set(summary["files"]) == files
    assert "significant" in (out / "report.html").read_text(encoding="utf-8")


def test_analyze_random_filters_finds_no_circle(tmp_path, capsys):
    path = tmp_path / "random.pt"
    torch.save(_net(gaussian(400, random_state=0)).state_dict(), path)
    status, stdout, _ = cli(
        ["analyze", str(path), "--resolution", "8", "--out", str(tmp_path / "out")], capsys
    )
    assert status == 0
    assert "did NOT find" in stdout or "TOO SMALL" in stdout
    summary = _summary(tmp_path / "out")
    assert summary["layers"][0]["n_significant_h1"] == 0 and not summary["measured"]["found_circle"]
    assert summary["verdict"]["level"] in ("not_found", "too_small")


def test_analyze_pools_a_folder_and_loads_into_an_architecture(circle_file, tmp_path, capsys):
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    for i in range(2):
        torch.save(torch.load(circle_file, weights_only=True), folder / f"network_{i}.pt")
    assert (
        cli(["-q", "analyze", str(folder), "--resolution", "8", "--out", str(tmp_path / "a")], capsys)[0] == 0
    )
    assert _layer(tmp_path / "a")["n_filters"] == 800 and _summary(tmp_path / "a")["n_networks"] == 2
    import torchvision

    path = tmp_path / "squeezenet.pt"
    torch.manual_seed(0)
    torch.save(torchvision.models.squeezenet1_1(weights=None).state_dict(), path)
    argv = ["-q", "analyze", str(path), "--arch", "squeezenet1_1", "--out", str(tmp_path / "b")]
    assert cli(argv, capsys)[0] == 0
    assert _layer(tmp_path / "b")["n_filters"] == 64 * 3  # features.0: Conv2d(3, 64, 3)


def test_profile_and_analyze_a_torchvision_model_by_name(tmp_path, capsys, monkeypatch):
    from sktopo.nn import torchvision_model

    def no_download(*args, **kwargs):
        raise AssertionError("downloaded")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", no_download)
    argv = ["-q", "profile", "--layers", "1", "--resolution", "6", "--random-state", "3"]
    assert cli([*argv, "mobilenet_v3_small", "--out", str(tmp_path / "a")], capsys) == (0, "", "")
    by_name = pd.read_csv(tmp_path / "a" / "profile.csv").drop(columns="seconds")
    assert by_name.layer_name.tolist() == ["features.0.0"] and by_name.n_filters.tolist() == [16 * 3]
    assert _summary(tmp_path / "a")["parameters"]["sources"] == ["mobilenet_v3_small"]
    # the network is the library's torchvision_model(name, random_state=S): its weights give the same rows
    path = tmp_path / "mobilenet.pt"
    torch.save(torchvision_model("mobilenet_v3_small", random_state=3).state_dict(), path)
    on_file = [*argv, str(path), "--arch", "mobilenet_v3_small", "--out", str(tmp_path / "b")]
    assert cli(on_file, capsys)[0] == 0
    pd.testing.assert_frame_equal(
        by_name, pd.read_csv(tmp_path / "b" / "profile.csv").drop(columns="seconds")
    )
    analyze = ["-q", "analyze", "mobilenet_v3_small", "--layer", "1", "--resolution", "6"]
    assert cli([*analyze, "--out", str(tmp_path / "c")], capsys)[0] == 0
    assert _layer(tmp_path / "c")["n_filters"] == 16 * 3


class _VGGStyle(torch.nn.Module):
    def __init__(self):
        super().__init__()
        conv = torch.nn.Conv2d
        self.features = torch.nn.Sequential(
            conv(3, 16, 3),
            torch.nn.ReLU(),
            conv(16, 16, 3),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            conv(16, 24, 3),
        )


@pytest.mark.parametrize(("argv", "n_jobs"), [([], -1), (["--n-jobs", "1"], 1), (["--n-jobs", "2"], 2)])
def test_profile_runs_with_the_librarys_cap_and_the_jobs_asked(
    argv, n_jobs, circle_file, tmp_path, capsys, monkeypatch
):
    import inspect

    asked = {}

    def spy(networks, layers, **kwargs):
        asked.update(kwargs)
        raise KeyboardInterrupt  # stop before any work

    library_cap = inspect.signature(sktopo.profile.topology_profile).parameters["max_filters"].default
    monkeypatch.setattr(sktopo.profile, "topology_profile", spy)
    assert main(["profile", circle_file, "--out", str(tmp_path / "out"), *argv]) == 130  # interrupted
    assert asked["max_filters"] == library_cap and asked["n_jobs"] == n_jobs


def test_profile_a_saved_vgg_style_state_dict(tmp_path, capsys):
    torch.manual_seed(0)
    path = tmp_path / "vgg_style.pt"
    torch.save(_VGGStyle().state_dict(), path)
    out = tmp_path / "profile"
    status, stdout, _ = cli(
        ["profile", str(path), "--layers", "1-3", "--resolution", "6", "--out", str(out)], capsys
    )
    assert status == 0 and "of 3 layer(s) show a circle" in stdout
    assert {"report.html", "profile.png", "profile_mapper.png", "profile.csv", "summary.json"} <= set(
        os.listdir(out)
    )
    table = pd.read_csv(out / "profile.csv")
    assert table.layer.tolist() == [1, 2, 3]
    assert table.n_filters.tolist() == [48, 256, 384]
    assert table.layer_name.tolist() == ["features.0", "features.2", "features.5"]
    assert [row["layer"] for row in _summary(out)["layers"]] == [1, 2, 3]
    assert cli(["-q", "profile", str(path), "--layers", "2", "--out", str(out), "--force"], capsys)[0] == 0
    assert pd.read_csv(out / "profile.csv").layer.tolist() == [2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    assert (
        main(["-q", "demo", "--networks", "2", "--iterations", "10", "--resolution", "6", "--out", str(out)])
        == 0
    )
    return out


def test_demo_on_tiny_settings(demo):
    summary, layer = _summary(demo), _layer(demo)
    measured = summary["measured"]
    assert (summary["n_networks"], measured["iterations"], layer["n_filters"]) == (2, 10, 128)
    assert measured["h1_lifetimes"] == sorted(measured["h1_lifetimes"], reverse=True)
    assert layer["n_significant_h1"] == sum(v > layer["threshold"] for v in measured["h1_lifetimes"])
    # 2 networks after 10 iterations: 38 dense rows, too few to judge, and said so
    assert summary["verdict"]["level"] == layer["verdict"] == "too_small" and not measured["found_circle"]
    assert len(measured["test_accuracy_per_network"]) == 2
    assert measured["test_accuracy"] == pytest.approx(np.mean(measured["test_accuracy_per_network"]))
    expected = {"architecture": "M(64,0,64)", "random_state": 0, "mapper_resolution": 6, "p": 0.3, "k": 4}
    assert summary["parameters"] | expected == summary["parameters"]
    assert set(summary["timings"]) == {"training_seconds", "analysis_seconds", "total_seconds"}
    assert set(summary["files"]) == set(os.listdir(demo))
    assert {"accuracy.png", "dense_core.png", "null.png"} <= set(summary["files"])


def test_demo_report_renders_in_headless_chromium(demo, chromium):
    rendered = chromium(demo / "report.html", window=(1000, 3000))
    body = re.search(r"<body[^>]*>", rendered.dom).group(0)
    assert 'data-figures="5"' in body and 'data-figures-loaded="5"' in body
    assert 'data-mapper-views="1"' in body and 'data-mapper-views-rendered="1"' in body
    assert rendered.errors == []
    summary = _summary(demo)
    verdict = re.search(
        r'<div class="verdict ([a-z-]+)" data-level="([a-z_]+)"[^>]*>(.*?)</div>', rendered.dom, re.S
    )
    assert verdict[2] == summary["verdict"]["level"] == "too_small" and verdict[1] == "too-small"
    items = re.findall(r"<li>(.*?)</li>", verdict[3], re.S)
    assert items[: len(summary["verdict"]["reasons"])] == [
        html.escape(r, quote=False) for r in summary["verdict"]["reasons"]
    ]
    assert "paper, Fig. 2" in rendered.dom
    assert html.escape(shlex.join(["sktopo", *summary["argv"]]), quote=False) in rendered.dom


def test_an_interruption_ends_with_status_130(monkeypatch, tmp_path, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(sktopo.cli._demo, "run", interrupted)
    assert cli(["demo", "--out", str(tmp_path)], capsys)[0:3:2] == (130, "sktopo demo: interrupted\n")


TINY = {
    "fig12": ["n_networks=2", "n_groups=2", "checkpoints=[0, 2]", 'spec="M(4,2,8)"', "k=2", "p=0.5"],
    "fig13": ["max_iter=4", "eval_every=2", "n_repeats=1", "n_filters=4", 'spec="M(4,2,8)"'],
    "generalization": ["max_iter=2", "n_repeats=1", 'spec="M(4,2,8)"'],
    "evolution": ["iterations=[0, 2]", "n_networks=2", 'spec="M(8,4,8)"', "layers=[1]"],
}


@pytest.mark.filterwarnings("ignore:An input array is constant")  # two checkpoints: Spearman undefined
@pytest.mark.parametrize("experiment", sorted(TINY))
def test_reproduce_on_tiny_settings(experiment, tmp_path, capsys):
    out = tmp_path / experiment
    params = [a for p in TINY[experiment] for a in ("--param", p)]
    assert cli(["-q", "reproduce", experiment, "--out", str(out), *params], capsys) == (0, "", "")
    assert {f"{experiment}.csv", f"{experiment}.png", "summary.json", "report.html"} <= set(os.listdir(out))
    summary = _summary(out)
    schema = json.loads(files("sktopo.cli").joinpath("summary.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(summary)
    assert summary["n_networks"] == {"fig12": 2, "evolution": 2}.get(experiment)
    assert (summary["measured"]["experiment"], summary["measured"]["scale"]) == (experiment, "quick")
    assert summary["paper"] and summary["parameters"] and summary["layers"] == []
    table = pd.read_csv(out / f"{experiment}.csv")
    assert len(table) and "The paper&#x27;s numbers" in (out / "report.html").read_text(encoding="utf-8")
    if experiment == "fig13":
        assert summary["parameters"]["max_iter"] == 4 and table.iteration.unique().tolist() == [2, 4]


def test_reproduce_fig2_is_the_demo_study(tmp_path, capsys):
    argv = [
        "-q",
        "reproduce",
        "fig2",
        "--out",
        str(tmp_path),
        "--param",
        "networks=2",
        "--param",
        "iterations=3",
    ]
    assert cli([*argv, "--param", "resolution=5"], capsys) == (0, "", "")
    summary = _summary(tmp_path)
    assert (summary["measured"]["experiment"], summary["n_networks"], summary["measured"]["iterations"]) == (
        "fig2",
        2,
        3,
    )
    assert summary["paper"]["dense core"] == 1920 and summary["parameters"]["mapper_resolution"] == 5


ROW = {"verdict": "found", "edge_energy": 0.8, "shape": "circle", "margin": 0.3}
REASONS = [
    "1 significant H1 bar(s) by the 'null' rule at alpha = 0.05; the longest clears the threshold by 0.300"
]


@pytest.mark.parametrize(
    ("row", "primary", "head"),
    [
        ({}, True, "This run FOUND the paper's primary circle: a circle of edge filters"),
        ({"edge_energy": 0.3}, False, "This run FOUND a circle, but not of edge filters"),
        ({"edge_energy": None}, False, "This run FOUND a circle; whether it is the primary circle"),
        ({"verdict": "not_found", "shape": "klein bottle"}, False, "This run did NOT find a circle"),
        ({"verdict": "borderline"}, False, "This run found a circle only BORDERLINE"),
        ({"verdict": "too_small", "margin": None}, False, "This run is TOO SMALL to tell"),
    ],
)
def test_the_verdict_says_what_the_numbers_say(row, primary, head):
    from sktopo.cli._analysis import verdict

    row = ROW | row
    said, items = verdict(row, {"primary_circle": primary}, REASONS)
    assert said.startswith(head)
    assert items[0] == REASONS[0] and f"shape named from the significant bars: {row['shape']!r}" in items
    energy = [item for item in items if item.startswith("edge energy")]
    assert len(energy) == 1 and (
        f"{row['edge_energy']:.0%}" in energy[0] if row["edge_energy"] else "not defined" in energy[0]
    )
    assert any("too small to judge" in item for item in items) == (row["verdict"] == "too_small")
