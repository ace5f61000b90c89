#!/usr/bin/python3
"""Seeds for fuzz_model_loader: small model documents in XGBoost 1.7's JSON
layout (the layout src/model/forest_test.cpp checks against XGBoost itself),
with the Sluice header for the harness's two-finding catalog, plus broken
variants. The feature names are read from src/model/features.cpp, so the
seeds follow the feature list. With the build's sluice_model_pack, each
document that reads is also written in the packed form the engine embeds
(src/model/packed.hpp), which the harness loads too.
Usage: make_model_seeds.py [OUT_DIR [SLUICE_MODEL_PACK]]"""
import hashlib
import json
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
src = open(os.path.join(here, "..", "src", "model", "features.cpp")).read()
block = src[src.index("kStructural{{"):src.index("}};", src.index("kStructural{{"))]
names = re.findall(r'^\s*\{"([a-z0-9_.]+)",', block, re.M)
names += ["finding.a.one", "finding.b.two"]  # the harness's catalog
version = "f1-" + hashlib.sha256("".join(n + "\n" for n in names).encode()).hexdigest()[:16]
width = len(names)


def tree(i, nodes):
    """nodes: list of (left, right, feature, value, cover); leaves have left = -1 and value = leaf."""
    n = len(nodes)
    return {
        "base_weights": [v for _, _, _, v, _ in nodes], "categories": [], "categories_nodes": [],
        "categories_segments": [], "categories_sizes": [], "default_left": [0] * n, "id": i,
        "left_children": [l for l, _, _, _, _ in nodes], "loss_changes": [0.0] * n,
        "parents": [2147483647] + [0] * (n - 1), "right_children": [r for _, r, _, _, _ in nodes],
        "split_conditions": [v for _, _, _, v, _ in nodes], "split_indices": [f for _, _, f, _, _ in nodes],
        "split_type": [0] * n, "sum_hessian": [c for _, _, _, _, c in nodes],
        "tree_param": {"num_deleted": "0", "num_feature": str(width), "num_nodes": str(n), "size_leaf_vector": "0"},
    }


def document(trees, base_score="5E-1", header=True, feature_version=version):
    doc = {}
    if header:
        doc["sluice"] = {"format": 1, "feature_version": feature_version, "features": names, "threshold": 0.5,
                         "training": {"malicious": 10, "benign": 10}, "metrics": {"roc_auc": 1.0}}
    doc["learner"] = {
        "attributes": {}, "feature_names": [], "feature_types": [],
        "gradient_booster": {"model": {"gbtree_model_param": {"num_parallel_tree": "1", "num_trees": str(len(trees))},
                                       "tree_info": [0] * len(trees), "trees": trees}, "name": "gbtree"},
        "learner_model_param": {"base_score": base_score, "boost_from_average": "1", "num_class": "0",
                                "num_feature": str(width), "num_target": "1"},
        "objective": {"name": "binary:logistic", "reg_loss_param": {"scale_pos_weight": "1"}},
    }
    doc["version"] = [1, 7, 4]
    return json.dumps(doc, separators=(",", ":"))


stump = tree(0, [(1, 2, 0, 0.5, 4.0), (-1, -1, 0, -1.0, 3.0), (-1, -1, 0, 2.0, 1.0)])
deeper = tree(1, [(1, 2, width - 1, 0.5, 10.0), (3, 4, 16, 1.5, 6.0), (-1, -1, 0, 0.7, 4.0),
                  (-1, -1, 0, -0.4, 5.0), (-1, -1, 0, 1.1, 1.0)])
third = tree(2, [(1, 2, width - 2, 0.5, 8.0), (-1, -1, 0, -0.3, 7.0), (3, 4, 5, 2.5, 1.0),
                 (-1, -1, 0, 0.2, 0.5), (-1, -1, 0, 0.9, 0.5)])
seeds = {
    "stump.json": document([stump]),
    "three_trees.json": document([stump, deeper, third]),
    "base_score.json": document([stump, deeper], base_score="2E-1"),
    "no_header.json": document([stump], header=False),
    "other_version.json": document([stump], feature_version="f1-0000000000000000"),
}
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "seeds", "model_loader")
os.makedirs(out, exist_ok=True)
for name, text in seeds.items():
    with open(os.path.join(out, name), "w") as f:
        f.write(text)
packed = 0
if len(sys.argv) > 2:
    for name in ("stump.json", "three_trees.json", "base_score.json", "other_version.json"):
        subprocess.run([sys.argv[2], os.path.join(out, name), os.path.join(out, name[:-5] + ".packed")], check=True)
        packed += 1
print("%d seeds (%d packed), %d features, %s" % (len(seeds) + packed, packed, width, version))
