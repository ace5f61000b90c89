#!/usr/bin/env python3
"""Validate STIX 2.1 bundles against OASIS's JSON schemas (cti-stix2-json-schemas).

The schemas are not packaged by Debian or npm, so this project cannot install
them; whoever has a checkout passes its `schemas/` folder:

    python3 scripts/validate_stix.py --schemas ~/cti-stix2-json-schemas/schemas bundle.json…

Each bundle is checked against `common/bundle.json` and each of its objects
against the schema named after its type (an object type without a schema is an
error). Exit 0 when all are valid, 1 when any is not, 2 on bad arguments.
Works with Debian 12's python3-jsonschema (4.10, RefResolver) and newer."""

import argparse
import json
import pathlib
import sys
import warnings

import jsonschema


def load_schemas(root):
    # The schemas refer to each other by relative path and by their $id URLs
    # (which point at GitHub); both must resolve to the local files.
    store, by_type = {}, {}
    for path in sorted(root.rglob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        store[path.resolve().as_uri()] = schema
        if "$id" in schema:
            store[schema["$id"]] = schema
        by_type[path.stem] = path
    return store, by_type


def validator_for(path, store):
    schema = dict(store[path.resolve().as_uri()])
    schema["$id"] = path.resolve().as_uri()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver(schema["$id"], schema, store=store)
        return jsonschema.Draft202012Validator(schema, resolver=resolver)


def errors_of(bundle, store, by_type, cache):
    def validator(name):
        if name not in cache:
            cache[name] = validator_for(by_type[name], store)
        return cache[name]

    errors = ["bundle: %s" % e.message[:200] for e in validator("bundle").iter_errors(bundle)]
    for i, obj in enumerate(bundle.get("objects", []) if isinstance(bundle, dict) else []):
        kind = obj.get("type") if isinstance(obj, dict) else None
        if kind not in by_type or kind == "bundle":
            errors.append("objects[%d]: no STIX 2.1 schema for type %r" % (i, kind))
            continue
        for e in validator(kind).iter_errors(obj):
            where = "/".join(str(p) for p in e.absolute_path)
            errors.append("objects[%d] %s %s: %s" % (i, kind, where, e.message[:200]))
    return errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", required=True, type=pathlib.Path,
                        help="the schemas/ folder of oasis-open/cti-stix2-json-schemas")
    parser.add_argument("bundles", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    if not (args.schemas / "common" / "bundle.json").is_file():
        print("validate_stix: %s has no common/bundle.json" % args.schemas, file=sys.stderr)
        return 2
    store, by_type = load_schemas(args.schemas)
    cache, failed = {}, 0
    for path in args.bundles:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        errors = errors_of(bundle, store, by_type, cache)
        count = len(bundle.get("objects", [])) if isinstance(bundle, dict) else 0
        print("%s: %d objects, %s" % (path, count, "valid" if not errors else "%d errors" % len(errors)))
        for e in errors:
            print("  " + e)
        failed += bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
