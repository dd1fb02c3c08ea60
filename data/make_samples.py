"""Build the sample project the app opens with, from a fixed seed: `python data/make_samples.py`.

The cat classifier reproduces the course's mismatched-data story: trained
on web images plus a few mobile ones, evaluated on mobile uploads, so the waterfall shows a
small bias, some variance and a clear data-mismatch gap.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20261123

# (split, source, rows, error rate of model A, of model B)
CAT_LAYOUT = (
    ("train", "web", 5000, 0.028, 0.030),
    ("train", "mobile", 1000, 0.035, 0.040),
    ("train-dev", "web", 830, 0.048, 0.052),
    ("train-dev", "mobile", 170, 0.055, 0.060),
    ("dev", "mobile", 1500, 0.100, 0.115),
    ("test", "mobile", 1500, 0.110, 0.120),
)
ERROR_KINDS = ("a dog that looks like a cat", "a great cat (lion, tiger)", "a blurry picture",
               "a picture with an Instagram filter")
ERROR_KIND_RATES = (0.08, 0.43, 0.61, 0.12)
CAT_SCENES = ("a tabby cat on a sofa", "a black cat in a garden", "a kitten playing",
              "a ginger cat asleep", "a siamese cat by a window")
OTHER_SCENES = ("a dog in a park", "a city street", "a bowl of fruit", "a beach at sunset",
                "a bicycle against a wall", "a living room", "a parrot on a branch")
# Metadata of each photo, drawn from its own seed so that the columns above never change.
METADATA_SEED = SEED + 1
DEVICES = ("phone", "tablet", "laptop camera")
LIGHTING = ("daylight", "indoor", "night")
# P(lighting) for photos the model gets right, and for those it gets wrong (night is harder).
LIGHTING_RIGHT, LIGHTING_WRONG = (0.55, 0.33, 0.12), (0.35, 0.35, 0.30)
BLUR_WHEN_RIGHT = 0.04  # blurry photos the model still gets right


def _confident_scores(rng: np.random.Generator, correct: np.ndarray, y: np.ndarray) -> np.ndarray:
    """P(cat) that lands on the right side of 0.5 exactly when `correct` is true."""
    confidence = 0.5 + 0.5 * rng.beta(4.0, 1.6, size=len(y))  # mostly sure, sometimes not
    confidence = np.clip(confidence, 0.501, 0.999)
    says_cat = np.where(correct, y == 1, y == 0)
    return np.round(np.where(says_cat, confidence, 1 - confidence), 4)


def _descriptions(rng: np.random.Generator, y: np.ndarray, wrong: np.ndarray) -> list[str]:
    """A short caption per image; misclassified ones mention what made them hard."""
    texts = []
    for is_cat, is_wrong in zip(y, wrong, strict=True):
        base = rng.choice(CAT_SCENES if is_cat else OTHER_SCENES)
        if is_wrong:
            hits = [k for k, rate in zip(ERROR_KINDS, ERROR_KIND_RATES, strict=True)
                    if rng.random() < rate]
            base = "; ".join(hits) if hits else base + " (hard to tell)"
        texts.append(str(base))
    return texts


def make_cat_classifier(rng: np.random.Generator) -> pd.DataFrame:
    """Binary cat classifier predictions of two models over train/train-dev/dev/test."""
    parts = []
    for split, source, rows, error_a, error_b in CAT_LAYOUT:
        y = (rng.random(rows) < 0.42).astype(int)
        wrong_a = rng.random(rows) < error_a
        # Model B mostly errs where A errs, plus a few errors of its own.
        wrong_b = np.where(wrong_a, rng.random(rows) < 0.8,
                           rng.random(rows) < max(error_b - 0.8 * error_a, 0) / (1 - error_a))
        score_a = _confident_scores(rng, ~wrong_a, y)
        score_b = _confident_scores(rng, ~wrong_b, y)
        parts.append(pd.DataFrame({
            "split": split, "source": source, "y_true": y, "score": score_a,
            "score_model_b": score_b, "y_pred": (score_a >= 0.5).astype(int),
            "description": _descriptions(rng, y, wrong_a),
            "weight": np.where(rng.random(rows) < 0.03, 10, 1),
        }))
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "image_id", [f"img_{i:05d}" for i in range(len(frame))])
    frame.insert(1, "image_path", [f"images/{s}/{i}.jpg" for s, i in
                                   zip(frame["source"], frame["image_id"], strict=True)])
    return frame


def add_photo_metadata(cats: pd.DataFrame) -> pd.DataFrame:
    """Device, lighting and blur per photo, with errors concentrated where a newcomer should
    find them: blurry photos (every error described as blurry, few correct ones) first,
    photos taken at night second; the device does not matter."""
    rng = np.random.default_rng(METADATA_SEED)
    wrong = (cats["y_pred"] != cats["y_true"]).to_numpy()
    described_blurry = cats["description"].str.contains(ERROR_KINDS[2], regex=False).to_numpy()
    blurry = np.where(wrong, described_blurry, rng.random(len(cats)) < BLUR_WHEN_RIGHT)
    draws = rng.random(len(cats))
    lighting = np.where(wrong, _pick(draws, LIGHTING_WRONG), _pick(draws, LIGHTING_RIGHT))
    return cats.assign(device=rng.choice(DEVICES, size=len(cats), p=(0.7, 0.2, 0.1)),
                       lighting=np.asarray(LIGHTING)[lighting],
                       blur=np.where(blurry, "yes", "no"))


def _pick(draws: np.ndarray, probabilities: tuple[float, ...]) -> np.ndarray:
    """Index of the level each uniform draw falls in, for the given level probabilities."""
    return np.searchsorted(np.cumsum(probabilities), draws, side="right").clip(0, len(probabilities) - 1)


def make_animals_multiclass(rng: np.random.Generator, rows: int = 3000) -> pd.DataFrame:
    """Four-class predictions where cats and dogs are confused most (a realistic confusion)."""
    classes = np.array(["bird", "cat", "dog", "fish"])
    y = rng.choice(len(classes), size=rows, p=[0.2, 0.35, 0.35, 0.1])
    logits = rng.normal(0, 1, size=(rows, len(classes)))
    logits[np.arange(rows), y] += 2.6
    cat_dog = np.isin(y, [1, 2])
    logits[cat_dog, 1] += 0.9
    logits[cat_dog, 2] += 0.9
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    proba = np.round(proba, 4)
    proba[:, -1] = np.round(1 - proba[:, :-1].sum(axis=1), 4)
    proba = np.clip(proba, 0, 1)
    frame = pd.DataFrame({f"p_{c}": proba[:, i] for i, c in enumerate(classes)})
    frame.insert(0, "y_true", classes[y])
    frame.insert(1, "y_pred", classes[proba.argmax(axis=1)])
    frame["split"] = rng.choice(["train", "dev", "test"], size=rows, p=[0.6, 0.2, 0.2])
    frame["source"] = rng.choice(["camera trap", "phone"], size=rows, p=[0.7, 0.3])
    frame.insert(0, "example_id", [f"ani_{i:05d}" for i in range(rows)])
    return frame


def make_driving_multitask(rng: np.random.Generator, rows: int = 2000) -> pd.DataFrame:
    """Multi-task labels (pedestrian, car, stop sign, traffic light) with some left unlabelled."""
    tasks = {"pedestrian": 0.3, "car": 0.6, "stop_sign": 0.15, "traffic_light": 0.25}
    frame = pd.DataFrame({"image_id": [f"road_{i:05d}" for i in range(rows)]})
    for task, prevalence in tasks.items():
        y = (rng.random(rows) < prevalence).astype(float)
        margin = np.where(y == 1, 1, -1) * rng.normal(2.2, 1.4, size=rows)
        frame[f"y_{task}"] = y
        frame[f"p_{task}"] = np.round(1 / (1 + np.exp(-margin)), 4)
        frame.loc[rng.random(rows) < 0.08, f"y_{task}"] = np.nan  # "?" in the course's table
    frame["split"] = rng.choice(["train", "dev", "test"], size=rows, p=[0.7, 0.15, 0.15])
    return frame


def make_error_sheet(rng: np.random.Generator, cats: pd.DataFrame) -> pd.DataFrame:
    """100 reviewed dev errors with the course's totals: dog 8, great cat 43, blurry 61,
    Instagram 12, incorrectly labeled 6 (shares overlap: one image can be blurry AND a lion)."""
    dev_errors = cats[(cats["split"] == "dev") & (cats["y_pred"] != cats["y_true"])]
    sample = dev_errors.sample(n=100, random_state=int(rng.integers(1 << 31)))
    sheet = sample[["image_id", "image_path", "y_true", "y_pred", "score"]].rename(
        columns={"image_id": "example_id"}).reset_index(drop=True)
    for column, count in (("dog", 8), ("great_cat", 43), ("blurry", 61),
                          ("instagram_filter", 12), ("incorrectly_labeled", 6)):
        ticks = np.zeros(100, dtype=bool)
        ticks[rng.choice(100, size=count, replace=False)] = True
        sheet[column] = ticks
    notes = {"dog": "looks like a pug", "great_cat": "lion at the zoo", "blurry": "motion blur"}
    sheet["comments"] = [next((text for col, text in notes.items() if row[col]), "")
                         for _, row in sheet.iterrows()]
    return sheet


def main(out: Path = HERE) -> None:
    """Write every sample file into `out` (by default next to this script)."""
    rng = np.random.default_rng(SEED)
    cats = add_photo_metadata(make_cat_classifier(rng))
    cats.to_csv(out / "cat_classifier.csv", index=False)
    make_animals_multiclass(rng).to_csv(out / "animals_multiclass.csv", index=False)
    make_driving_multitask(rng).to_csv(out / "driving_multitask.csv", index=False)
    make_error_sheet(rng, cats).to_csv(out / "error_sheet_sample.csv", index=False)


if __name__ == "__main__":
    main()
