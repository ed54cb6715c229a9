"""Model bundle manifests: validation, finalisation (file sizes + sha256) and verified loading.

A bundle is a folder with `manifest.json`, `tokenizer.json` and ONNX graphs (an image-only bundle: `manifest.json`
and its one vision graph, no tokenizer). The manifest format is
`models/schema/bundle.schema.json`, shared with the TypeScript engine (which validates it with ajv);
this module adds the cross-field checks a JSON Schema cannot express, so a bad or partial bundle is a
readable ValueError here, before it ever reaches a browser.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "bundle.schema.json"
MANIFEST_NAME = "manifest.json"
SPLIT_GRAPHS = ("vision", "text", "decoder")
SINGLE_GRAPHS = ("model",)
IMAGE_ONLY_GRAPHS = ("vision",)
GRAPHS = {"split": SPLIT_GRAPHS, "single": SINGLE_GRAPHS, "image-only": IMAGE_ONLY_GRAPHS}


@lru_cache(maxsize=1)
def load_schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


def _schema_errors(manifest: Any) -> list[str]:
    validator = jsonschema.Draft7Validator(load_schema())
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    out = []
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        out.append(f"{where}: {e.message}")
    return out


def referenced_paths(manifest: dict) -> list[str]:
    """Every file the manifest points at: the tokenizer and each graph file, in first-seen order."""
    seen: dict[str, None] = {}
    tok = manifest.get("text", {}).get("tokenizer")
    if isinstance(tok, str):
        seen[tok] = None
    for variant in manifest.get("variants", []):
        for graph in variant.get("graphs", {}).values():
            if isinstance(graph, dict) and isinstance(graph.get("file"), str):
                seen[graph["file"]] = None
    return list(seen)


def _check_relative(path: str, what: str) -> str | None:
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return f"{what}: '{path}' must be a relative path inside the bundle (no '.', '..' or empty parts)"
    return None


def _semantic_errors(m: dict) -> list[str]:
    errs: list[str] = []
    files = m["files"]
    listed = [f["path"] for f in files]
    dupes = sorted({p for p in listed if listed.count(p) > 1})
    if dupes:
        errs.append(f"files: duplicate paths {dupes}")
    for p in listed:
        e = _check_relative(p, "files")
        if e:
            errs.append(e)
    listed_set = set(listed)

    if m["kind"] == "image-only":
        if "text" in m:
            errs.append("text: an image-only bundle has no text block (prompt words pick a channel, no tokenizer)")
        chans = [c["name"] for c in m["output"].get("channels", [])]
        dupes = sorted({c for c in chans if chans.count(c) > 1})
        if dupes:
            errs.append(f"output.channels: duplicate names {dupes}")
    else:
        tok = m["text"]["tokenizer"]
        if tok not in listed_set:
            errs.append(f"text.tokenizer: '{tok}' is not listed in files")
        if m["text"]["padding"] == "max_length" and "padTokenId" not in m["text"]:
            errs.append("text: padding 'max_length' needs padTokenId")
        if "channels" in m["output"]:
            errs.append(f"output.channels: only image-only bundles have channels (this is a {m['kind']} bundle)")

    names = [v["name"] for v in m["variants"]]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        errs.append(f"variants: duplicate names {dupes}")

    expected = GRAPHS[m["kind"]]
    for v in m["variants"]:
        where = f"variants/{v['name']}"
        graphs = v["graphs"]
        if set(graphs) != set(expected):
            errs.append(f"{where}: a {m['kind']} bundle needs graphs {list(expected)}, got {sorted(graphs)}")
            continue
        for gname, g in graphs.items():
            e = _check_relative(g["file"], f"{where}/graphs/{gname}/file")
            if e:
                errs.append(e)
            elif g["file"] not in listed_set:
                errs.append(f"{where}/graphs/{gname}: file '{g['file']}' is not listed in files")
            for kind in ("inputs", "outputs"):
                tnames = [t["name"] for t in g[kind]]
                if len(set(tnames)) != len(tnames):
                    errs.append(f"{where}/graphs/{gname}/{kind}: duplicate tensor names {tnames}")
        if "shader-f16" in v.get("requires", []) and "webgpu" not in v["backends"]:
            errs.append(f"{where}: requires shader-f16 but does not list the webgpu backend")
        if m["kind"] == "split":
            errs.extend(_split_io_errors(where, graphs))
            errs.extend(_text_length_errors(where, graphs["text"], m["text"]))
        elif m["kind"] == "image-only":
            errs.extend(_image_only_io_errors(where, graphs["vision"], len(m["output"].get("channels", []))))
        else:
            errs.extend(_single_io_errors(where, graphs["model"]))
    return errs


def _split_io_errors(where: str, graphs: dict) -> list[str]:
    errs = []
    vin = {t["name"] for t in graphs["vision"]["inputs"]}
    tin = {t["name"] for t in graphs["text"]["inputs"]}
    if "pixel_values" not in vin:
        errs.append(f"{where}/graphs/vision: needs input 'pixel_values', has {sorted(vin)}")
    if "input_ids" not in tin:
        errs.append(f"{where}/graphs/text: needs input 'input_ids', has {sorted(tin)}")
    produced: dict[str, tuple[str, dict]] = {}
    for gname in ("vision", "text"):
        for t in graphs[gname]["outputs"]:
            if t["name"] in produced:
                errs.append(f"{where}: output '{t['name']}' is produced by both vision and text")
            produced[t["name"]] = (gname, t)
    for t in graphs["decoder"]["inputs"]:
        src = produced.get(t["name"])
        if src is None:
            errs.append(
                f"{where}/graphs/decoder: input '{t['name']}' is not an output of the vision or text graph "
                f"(they give {sorted(produced)})"
            )
        elif src[1]["dtype"] != t["dtype"]:
            errs.append(
                f"{where}/graphs/decoder: input '{t['name']}' is {t['dtype']} but the {src[0]} graph "
                f"gives {src[1]['dtype']}"
            )
        elif not _shapes_compatible(src[1]["shape"], t["shape"]):
            errs.append(
                f"{where}/graphs/decoder: input '{t['name']}' has shape {t['shape']} but the {src[0]} graph "
                f"gives {src[1]['shape']}"
            )
    if not any(t["name"] == "logits" for t in graphs["decoder"]["outputs"]):
        errs.append(f"{where}/graphs/decoder: needs output 'logits'")
    return errs


def _text_length_errors(where: str, text_graph: dict, text: dict) -> list[str]:
    """A text graph whose input_ids has a fixed length (CRIS: word features and a padding mask of that length)
    must be fed exactly that many tokens: the manifest has to pad every prompt to it."""
    ids = next((t for t in text_graph["inputs"] if t["name"] == "input_ids"), None)
    if not ids or len(ids["shape"]) != 2 or not isinstance(ids["shape"][1], int):
        return []
    n = ids["shape"][1]
    if text["padding"] != "max_length" or text["maxLength"] != n:
        return [f"{where}/graphs/text: input_ids has the fixed length {n}, so text needs padding 'max_length' and "
                f"maxLength {n} (it has padding '{text['padding']}', maxLength {text['maxLength']})"]
    return []


def _single_io_errors(where: str, g: dict) -> list[str]:
    errs = []
    names = {t["name"] for t in g["inputs"]}
    for need in ("pixel_values", "input_ids"):
        if need not in names:
            errs.append(f"{where}/graphs/model: needs input '{need}', has {sorted(names)}")
    if not any(t["name"] == "logits" for t in g["outputs"]):
        errs.append(f"{where}/graphs/model: needs output 'logits'")
    return errs


def _image_only_io_errors(where: str, g: dict, n_channels: int) -> list[str]:
    errs = []
    names = {t["name"] for t in g["inputs"]}
    if names != {"pixel_values"}:
        errs.append(f"{where}/graphs/vision: an image-only graph takes only 'pixel_values', has {sorted(names)}")
    out = next((t for t in g["outputs"] if t["name"] == "logits"), None)
    if out is None:
        errs.append(f"{where}/graphs/vision: needs output 'logits' [1, channels, H, W]")
    elif len(out["shape"]) != 4 or (isinstance(out["shape"][1], int) and out["shape"][1] != n_channels):
        errs.append(f"{where}/graphs/vision: output 'logits' has shape {out['shape']}, the manifest lists "
                    f"{n_channels} channels (want [1, {n_channels}, H, W])")
    return errs


def _shapes_compatible(a: list, b: list) -> bool:
    """Equal rank, and equal wherever both dims are fixed integers (named dims match anything)."""
    if len(a) != len(b):
        return False
    return all(not (isinstance(x, int) and isinstance(y, int)) or x == y for x, y in zip(a, b))


def validate_manifest(manifest: dict) -> None:
    """Raise ValueError listing every problem if the manifest is not a valid bundle manifest."""
    if not isinstance(manifest, dict):
        raise ValueError(f"invalid bundle manifest: expected a JSON object, got {type(manifest).__name__}")
    errs = _schema_errors(manifest)
    if not errs:
        errs = _semantic_errors(manifest)
    if errs:
        raise ValueError("invalid bundle manifest:\n  - " + "\n  - ".join(errs))


def file_entry(bundle_dir: str | os.PathLike, rel: str) -> dict:
    """{path, bytes, sha256} of one bundle file."""
    full = Path(bundle_dir) / rel
    if not full.is_file():
        raise ValueError(f"bundle file '{rel}' is missing from {bundle_dir}")
    h = hashlib.sha256()
    with open(full, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return {"path": rel, "bytes": full.stat().st_size, "sha256": h.hexdigest()}


def finalize_bundle(bundle_dir: str | os.PathLike, manifest: dict) -> dict:
    """Fill `files` (size + sha256 of every referenced file), validate, write manifest.json, return it."""
    m = dict(manifest)
    rels = referenced_paths(m)
    for rel in rels:
        e = _check_relative(rel, "manifest")
        if e:
            raise ValueError(e)
    m["files"] = [file_entry(bundle_dir, rel) for rel in rels]
    validate_manifest(m)
    tmp = Path(bundle_dir) / (MANIFEST_NAME + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(m, f, indent=2)
        f.write("\n")
    os.replace(tmp, Path(bundle_dir) / MANIFEST_NAME)
    return m


def load_bundle(bundle_dir: str | os.PathLike, verify_hashes: bool = True) -> dict:
    """Read and validate manifest.json, check every listed file's size (and sha256). Raises ValueError."""
    path = Path(bundle_dir) / MANIFEST_NAME
    if not path.is_file():
        raise ValueError(f"not a bundle: {path} does not exist")
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not valid JSON ({e})") from e
    validate_manifest(manifest)
    problems = []
    for entry in manifest["files"]:
        full = Path(bundle_dir) / entry["path"]
        if not full.is_file():
            problems.append(f"{entry['path']}: missing")
            continue
        size = full.stat().st_size
        if size != entry["bytes"]:
            problems.append(f"{entry['path']}: {size} bytes, manifest says {entry['bytes']}")
            continue
        if verify_hashes:
            actual = file_entry(bundle_dir, entry["path"])["sha256"]
            if actual != entry["sha256"]:
                problems.append(f"{entry['path']}: sha256 {actual[:12]}… does not match manifest {entry['sha256'][:12]}…")
    if problems:
        raise ValueError(f"bundle {bundle_dir} is corrupt or partial:\n  - " + "\n  - ".join(problems))
    return manifest


def graph_path(bundle_dir: str | os.PathLike, manifest: dict, variant: str, graph: str) -> Path:
    """Absolute path of one graph file of one variant."""
    for v in manifest["variants"]:
        if v["name"] == variant:
            return Path(bundle_dir) / v["graphs"][graph]["file"]
    raise KeyError(f"no variant '{variant}' (have {[v['name'] for v in manifest['variants']]})")


def main(argv=None) -> int:
    """python -m vlsm.bundle DIR...: validate and verify bundles, print a one-line summary each."""
    import argparse

    ap = argparse.ArgumentParser(description="Validate model bundles (schema, cross-field checks, sizes, sha256).")
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--no-hash", action="store_true", help="check sizes only")
    args = ap.parse_args(argv)
    status = 0
    for d in args.dirs:
        try:
            m = load_bundle(d, verify_hashes=not args.no_hash)
        except ValueError as e:
            print(f"FAIL {d}: {e}")
            status = 1
            continue
        total = sum(f["bytes"] for f in m["files"]) / 1e6
        print(f"ok   {d}: {m['id']} ({m['kind']}, variants {[v['name'] for v in m['variants']]}, {total:.1f} MB)")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
