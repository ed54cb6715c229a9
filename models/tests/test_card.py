"""The model card takes its figures from the evaluation and the bundle, not from fixed text."""
import json
from pathlib import Path

from vlsm.card import limits

BUNDLE = Path(__file__).resolve().parents[1] / "compact-vlsm"


def test_limits_carry_the_evaluated_figures_and_input_size():
    ev = {"dice_class_prompt": {"fuseg": 0.7229, "busi": 0.7016}, "dice_per_prompt_type": {"busi": {"normal-class": 0.3333}}}
    text = "\n".join(limits(ev, 256))
    assert "256x256" in text and "192" not in text
    assert "FUSeg, Dice 0.7229" in text and "BUSI, Dice 0.7016" in text and "0.3333" in text
    partial = limits({"dice_class_prompt": {"kvasir": 0.78}}, 192)  # an evaluation of one dataset
    assert not any("FUSeg, Dice" in x or "{" in x for x in partial)
    assert any("192x192" in x for x in partial)


def test_shipped_card_matches_its_evaluation():
    m = json.loads((BUNDLE / "manifest.json").read_text())
    ev = json.loads((BUNDLE / "EVAL.json").read_text())
    card = m["modelCard"]
    assert card["metrics"]["dice_class_prompt"] == ev["dice_class_prompt"]
    assert card["limits"] == limits(ev, m["input"]["size"][0])
    md = (BUNDLE / "MODEL_CARD.md").read_text()
    assert f"input {m['input']['size'][0]}x{m['input']['size'][1]}" in md
    for ds, v in ev["dice_class_prompt"].items():
        assert f"| {ds} | {v} |" in md


def test_shipped_card_says_what_the_model_knows():
    """modelCard.vocabulary / modalities / intendedUse (read by the app's card and prompt box)."""
    from vlsm.bundle import validate_manifest
    from vlsm.vocab import vocabulary_words, words_of

    m = json.loads((BUNDLE / "manifest.json").read_text())
    validate_manifest(m)
    card = m["modelCard"]
    vocab = card["vocabulary"]
    assert vocab == sorted(set(vocab)) and all(w == w.lower() and " " not in w for w in vocab)
    for cls in card["classes"]:
        assert set(words_of(cls)) <= set(vocab), cls
    assert "sigmoid" not in vocab and "x-ray" in vocab and "left" in vocab
    assert vocab == vocabulary_words()
    assert card["modalities"] and "not a medical device" in card["intendedUse"].lower()
    bad = dict(m, modelCard=dict(card, vocabulary=["Lung"]))
    try:
        validate_manifest(bad)
    except ValueError as e:
        assert "vocabulary" in str(e)
    else:
        raise AssertionError("an upper-case vocabulary word passed the schema")


def test_cards_say_which_kind_of_scan_each_shipped_model_is_the_default_for():
    """modelCard.defaultFor comes from the generator (a rebuilt bundle keeps it) and is what the shipped
    manifests carry: v1 for 2-D images, v2 (trained on cardiac MR slices) for volumes; the schema takes only
    the kinds the app knows."""
    from vlsm.bundle import validate_manifest
    from vlsm.card import build_card, build_card_v2

    v1 = json.loads((BUNDLE / "manifest.json").read_text())
    v2 = json.loads((BUNDLE.parent / "compact-vlsm-v2" / "manifest.json").read_text())
    assert build_card({}, [], None, "cmd", 256)["defaultFor"] == v1["modelCard"]["defaultFor"] == ["image"]
    assert build_card_v2({"metrics": {}}, None, [], [], "cmd", 256, {})["defaultFor"] == v2["modelCard"]["defaultFor"] == ["volume"]
    for bad in (["ct"], "volume"):
        try:
            validate_manifest(dict(v2, modelCard=dict(v2["modelCard"], defaultFor=bad)))
        except ValueError as e:
            assert "defaultFor" in str(e)
        else:
            raise AssertionError(f"defaultFor {bad!r} passed the schema")
