"""Sessions round-trip through JSON; corrupt or foreign files are clear errors; saves are atomic."""

from __future__ import annotations

import json

import pytest

from nanwiz.errors import SessionError
from nanwiz.session import DONT_KNOW, ProbeRecord, Session


def test_round_trip(kb, tmp_path):
    session = Session(script="/tmp/x.py")
    session.answer(kb, "amp", "fp16")
    session.answer(kb, "when", DONT_KNOW)
    session.record(ProbeRecord(probe="lr_zero", status="done", facts={"lr_zero.nonfinite": True}, duration=1.5))
    path = session.save(tmp_path / "s.json")
    again = Session.load(path)
    assert again == session
    assert again.facts(kb) == {"config.amp": "fp16", "lr_zero.nonfinite": True}
    assert [(c.cause_id, c.probability) for c in again.ranking(kb).causes] == \
           [(c.cause_id, c.probability) for c in session.ranking(kb).causes]


def test_measurement_outranks_answer(kb):
    session = Session()
    session.answer(kb, "lr_zero", False)
    session.record(ProbeRecord(probe="lr_zero", status="done", facts={"lr_zero.nonfinite": True}))
    assert session.facts(kb)["lr_zero.nonfinite"] is True
    assert session.conflicts(kb) == [("lr_zero.nonfinite", False, True)]


def test_changing_an_answer(kb):
    session = Session()
    session.answer(kb, "lr_zero", True)
    session.answer(kb, "lr_zero", False)
    assert session.facts(kb)["lr_zero.nonfinite"] is False
    session.forget("lr_zero")
    assert "lr_zero.nonfinite" not in session.facts(kb)


def test_bad_answers_are_refused(kb):
    with pytest.raises(SessionError, match="no question"):
        Session().answer(kb, "nope", True)
    with pytest.raises(SessionError, match="is not an answer"):
        Session().answer(kb, "amp", "fp8")


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a nanwiz session"),
    ('{"version": 99}', "version 99"),
    ('{"version": 1, "answers": 3}', "not a valid nanwiz session"),
])
def test_corrupt_sessions_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "s.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SessionError, match=message):
        Session.load(path)
    assert path.read_text(encoding="utf-8") == content  # nothing overwritten


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(SessionError, match="no such session file"):
        Session.load(tmp_path / "none.json")
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(SessionError):
        Session.load(binary)


def test_save_is_atomic(kb, tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    Session(script="a.py").save(path)
    original = path.read_text(encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        Session(script="b.py").save(path)
    assert path.read_text(encoding="utf-8") == original
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]
    assert json.loads(original)["script"] == "a.py"
