"""Bundle manifests: schema + cross-field validation, finalisation and verified loading."""

import copy
import json

import pytest

from tests.helpers import split_manifest, tensor, write_files
from vlsm.bundle import finalize_bundle, load_bundle, referenced_paths, validate_manifest


@pytest.fixture()
def bundle(tmp_path):
    m = split_manifest()
    write_files(tmp_path, m)
    return tmp_path, finalize_bundle(tmp_path, m)


def test_finalize_writes_files_and_manifest(bundle):
    d, m = bundle
    paths = [f["path"] for f in m["files"]]
    assert paths == ["tokenizer.json", "vision.onnx", "text.onnx", "decoder.onnx"]
    assert all(len(f["sha256"]) == 64 and f["bytes"] > 0 for f in m["files"])
    on_disk = json.loads((d / "manifest.json").read_text())
    assert on_disk == m
    assert (d / "manifest.json").read_text().startswith('{\n  "format"')
    assert load_bundle(d) == m


def test_finalize_missing_file_is_clear_error(tmp_path):
    m = split_manifest()
    write_files(tmp_path, m)
    (tmp_path / "text.onnx").unlink()
    with pytest.raises(ValueError, match="text.onnx' is missing"):
        finalize_bundle(tmp_path, m)


def test_load_detects_corruption_and_truncation(bundle):
    d, _ = bundle
    (d / "vision.onnx").write_bytes(b"x" * (d / "vision.onnx").stat().st_size)
    with pytest.raises(ValueError, match="vision.onnx: sha256"):
        load_bundle(d)
    load_bundle(d, verify_hashes=False)  # same size: only the hash notices
    (d / "text.onnx").write_bytes(b"short")
    with pytest.raises(ValueError, match="text.onnx: 5 bytes"):
        load_bundle(d)
    (d / "decoder.onnx").unlink()
    with pytest.raises(ValueError, match="decoder.onnx: missing"):
        load_bundle(d)


def test_load_rejects_non_bundles(tmp_path):
    with pytest.raises(ValueError, match="not a bundle"):
        load_bundle(tmp_path)
    (tmp_path / "manifest.json").write_text("{nope")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_bundle(tmp_path)
    (tmp_path / "manifest.json").write_text("[]")
    with pytest.raises(ValueError, match="invalid bundle manifest"):
        load_bundle(tmp_path)


def _valid():
    m = split_manifest()
    m["files"] = [{"path": p, "bytes": 1, "sha256": "0" * 64} for p in referenced_paths(m)]
    return m


def test_valid_manifest_passes():
    validate_manifest(_valid())


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda m: m.pop("input"), "'input' is a required property"),
        (lambda m: m.update(format="other"), "format"),
        (lambda m: m["variants"][0]["graphs"]["vision"].update(precision="int4"), "precision"),
        (lambda m: m["files"].pop(1), "file 'vision.onnx' is not listed in files"),
        (lambda m: m["files"].pop(0), "tokenizer: 'tokenizer.json' is not listed"),
        (lambda m: m["variants"][0]["graphs"].pop("text"), "needs graphs"),
        (lambda m: m["variants"][0]["graphs"]["decoder"]["inputs"].append(tensor("activations_9", "float32", [1, 5, 8])),
         "input 'activations_9' is not an output of the vision or text graph"),
        (lambda m: m["variants"][0]["graphs"]["decoder"]["inputs"][0].update(dtype="float16"),
         "is float16 but the vision graph gives float32"),
        (lambda m: m["variants"][0]["graphs"]["decoder"]["inputs"][0].update(shape=[1, 6, 8]), "has shape"),
        (lambda m: m["variants"][0]["graphs"]["decoder"].update(outputs=[tensor("mask", "float32", [1])]),
         "needs output 'logits'"),
        (lambda m: m["variants"].append(copy.deepcopy(m["variants"][0])), "duplicate names"),
        (lambda m: m["files"].append({"path": "../escape", "bytes": 1, "sha256": "0" * 64}), "relative path|does not match"),
        (lambda m: m["variants"][0].update(requires=["shader-f16"], backends=["wasm"]), "shader-f16"),
        (lambda m: m["text"].update(padding="max_length"), "padTokenId"),
        (lambda m: m.update(kind="single"), "a single bundle needs graphs"),
    ],
)
def test_invalid_manifests_name_the_problem(mutate, message):
    m = _valid()
    mutate(m)
    with pytest.raises(ValueError, match=message):
        validate_manifest(m)


def test_single_manifest():
    m = _valid()
    g = m["variants"][0]["graphs"]
    model = {"file": "model.onnx", "precision": "int8",
             "inputs": g["text"]["inputs"] + g["vision"]["inputs"], "outputs": g["decoder"]["outputs"]}
    m["kind"] = "single"
    m["variants"][0]["graphs"] = {"model": model}
    m["files"] = [{"path": p, "bytes": 1, "sha256": "0" * 64} for p in referenced_paths(m)]
    validate_manifest(m)
    model["inputs"] = model["inputs"][:2]
    with pytest.raises(ValueError, match="needs input 'pixel_values'"):
        validate_manifest(m)


def test_dynamic_dims_match_anything():
    m = _valid()
    m["variants"][0]["graphs"]["decoder"]["inputs"][0]["shape"] = [1, "tokens", 8]
    validate_manifest(m)


def test_fixed_length_text_graph_needs_padding_to_that_length():
    """CRIS's text graph takes exactly word_len ids (word features and pad mask of that length)."""
    m = _valid()
    m["variants"][0]["graphs"]["text"]["inputs"][0]["shape"] = [1, 17]
    with pytest.raises(ValueError, match="input_ids has the fixed length 17, so text needs padding 'max_length' and "
                                         "maxLength 17 \\(it has padding 'none', maxLength 77\\)"):
        validate_manifest(m)
    m["text"].update(padding="max_length", padTokenId=0, maxLength=17)
    validate_manifest(m)


def test_command_line(bundle, tmp_path, capsys):
    from vlsm.bundle import main

    d, _ = bundle
    assert main([str(d)]) == 0
    assert "ok" in capsys.readouterr().out
    assert main([str(tmp_path / "nowhere")]) == 1
    assert "FAIL" in capsys.readouterr().out
