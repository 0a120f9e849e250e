"""Probe processes: the spawned fallback (no fork server) reports like the forked path, and a
probe's own failure is reported with its reason."""

from __future__ import annotations

from pathlib import Path

from nanwiz.probing.runner import ProbeSpec, run_probe

SCRIPTS = Path(__file__).resolve().parents[1] / "fixtures" / "scripts"


def test_spawned_probe_reports_facts_progress_and_environment():
    events = []
    outcome = run_probe(ProbeSpec("lr_zero", SCRIPTS / "dirty_mlp.py", threads=1), on_event=events.append,
                        use_server=False)
    assert outcome.status == "done", outcome.reason
    assert outcome.facts["lr_zero.nonfinite"] is True
    assert outcome.environment["torch"]
    assert any(e["event"] == "progress" for e in events)


def test_forked_and_spawned_agree():
    spawned = run_probe(ProbeSpec("baseline", SCRIPTS / "sqrt_grad.py", threads=1), use_server=False)
    forked = run_probe(ProbeSpec("baseline", SCRIPTS / "sqrt_grad.py", threads=1), use_server=True)
    assert spawned.facts == forked.facts


def test_a_script_error_is_reported_as_such(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("def build_model(:\n    pass\n")
    outcome = run_probe(ProbeSpec("inspect", script, threads=1))
    assert outcome.status == "script_error"
    assert "broken.py:1" in outcome.reason and "syntax error" in outcome.reason


def test_a_running_probe_sends_its_curves_to_the_faces(kb):
    from nanwiz.probing.plan import Diagnoser
    from nanwiz.session import Session

    session = Session(script=str(SCRIPTS / "healthy.py"))
    events = []
    Diagnoser(kb, session, on_event=events.append).run(["baseline"], verify=False)
    points = [p for e in events if e.kind == "series" for p in e.points]
    assert [p["step"] for p in points] == list(range(10))
    assert points[-1]["loss"] == session.probes["baseline"].details["trace"][-1]["loss"]
