#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check every JSON output of oioctl that the VM suites saw against the
schemas of tools/schema/, as TAP.

  json-schema.py SCHEMA_DIR LOG_DIR --suites S1,S2,... [--commands OIOCTL_C]

The guest tests print each JSON output of oioctl as one TAP comment line,
"# json-out NAME JSON" (json_out in tests/guest/tap-lib.sh), which lands
in LOG_DIR/SUITE/tap.log. This fails on: a schema that is not a valid
JSON Schema, an output its schema refuses, an output naming a schema that
does not exist, a schema no output was checked against (so coverage cannot
silently drop), a suite of --suites that left no output, a command of
oioctl's dispatch table (tools/oioctl.c) without a schema, and a key whose
JSON type differs between schemas (integers count as numbers).
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import warnings

import jsonschema

PREFIX = "# json-out "
COMMON = "common"
MAX_SHOWN = 5


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, good, desc):
        self.n += 1
        self.failed += not good
        print(f"{'ok' if good else 'not ok'} {self.n} - {desc}", flush=True)


def load_schemas(schema_dir):
    schemas = {}
    for path in sorted(glob.glob(os.path.join(schema_dir, "*.schema.json"))):
        name = os.path.basename(path)[:-len(".schema.json")]
        with open(path, encoding="utf-8") as f:
            schemas[name] = json.load(f)
    return schemas


def validator_factory(schema_dir, schemas):
    """A validator per schema; "common.schema.json#/..." refs resolve to
    the files of schema_dir, with jsonschema 4.10 (Debian 12) or newer."""
    base = "file://" + os.path.abspath(schema_dir) + "/"
    uris = {base + n + ".schema.json": s for n, s in schemas.items()}
    cls = jsonschema.Draft202012Validator
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012
        registry = Registry().with_resources(
            (u, Resource.from_contents(s, default_specification=DRAFT202012))
            for u, s in uris.items())

        def make(name):
            s = dict(schemas[name], **{"$id": base + name + ".schema.json"})
            return cls(s, registry=registry)
    except ImportError:
        def make(name):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                resolver = jsonschema.RefResolver(
                    base + name + ".schema.json", schemas[name], store=uris)
            return cls(schemas[name], resolver=resolver)
    return make


def json_types(node, schemas, seen=()):
    """The JSON types a property's schema allows, "integer" as "number",
    $refs into the schemas followed: its shape, as a script sees it."""
    if not isinstance(node, dict):
        return frozenset()
    ref = node.get("$ref")
    if ref and ref not in seen:
        doc, _, frag = ref.partition("#")
        target = schemas.get(doc[:-len(".schema.json")] if doc else COMMON)
        for part in [x for x in frag.split("/") if x]:
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return json_types(target, schemas, seen + (ref,))
    types = set()
    t = node.get("type")
    for x in ([t] if isinstance(t, str) else t or []):
        types.add("number" if x == "integer" else x)
    if "const" in node or "enum" in node:
        values = node.get("enum", [node.get("const")])
        types |= {"null" if v is None else "string" if isinstance(v, str)
                  else "boolean" if isinstance(v, bool) else "number"
                  for v in values}
    for key in ("anyOf", "oneOf"):
        for sub in node.get(key, []):
            types |= json_types(sub, schemas, seen)
    for sub in node.get("allOf", []):
        types |= json_types(sub, schemas, seen)
    return frozenset(types)


def key_shapes(schemas):
    """Each property name with the JSON types it has, schema by schema."""
    shapes = {}

    def walk(node, where):
        if isinstance(node, dict):
            for k, v in (node.get("properties") or {}).items():
                types = json_types(v, schemas)
                if types:
                    shapes.setdefault(k, {}).setdefault(types, where)
            for v in node.values():
                walk(v, where)
        elif isinstance(node, list):
            for v in node:
                walk(v, where)
    for name, s in schemas.items():
        walk(s, name)
    return shapes


def commands_of(source):
    """The command names of oioctl's dispatch table (tools/oioctl.c)."""
    with open(source, encoding="utf-8") as f:
        text = f.read()
    table = text[text.index("commands[] = {"):]
    table = table[:table.index("};")]
    return re.findall(r'\{ "([a-z-]+)", cmd_', table)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("schema_dir")
    p.add_argument("log_dir")
    p.add_argument("--suites", required=True,
                   help="comma-separated suites that must have left JSON")
    p.add_argument("--commands", help="tools/oioctl.c, whose table lists the commands")
    args = p.parse_args()
    tap = Tap()

    schemas = load_schemas(args.schema_dir)
    tap.ok(COMMON in schemas and len(schemas) > 1,
           f"{len(schemas)} schemas in {args.schema_dir}")
    cls = jsonschema.Draft202012Validator
    for name, s in schemas.items():
        try:
            cls.check_schema(s)
            good = s.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
        except jsonschema.SchemaError as e:
            print(f"# {name}: {e.message}")
            good = False
        tap.ok(good, f"{name}.schema.json is a valid draft 2020-12 schema")
    # the contract (issue 10): a key has one shape in every output
    mixed = {k: v for k, v in key_shapes(schemas).items() if len(v) > 1}
    for k, v in sorted(mixed.items()):
        print("# key %s: %s" % (k, "; ".join(
            "/".join(sorted(t)) + " in " + w for t, w in v.items())))
    tap.ok(not mixed, f"each key has one JSON type in every schema ({len(mixed)} mixed)")
    make = validator_factory(args.schema_dir, schemas)
    validators = {n: make(n) for n in schemas if n != COMMON}

    if args.commands:
        cmds = commands_of(args.commands)
        missing = [c for c in cmds
                   if not any(n == c or n.startswith(c + "-") for n in validators)]
        for c in missing:
            print(f"# oioctl {c}: no schema")
        tap.ok(cmds and not missing,
               f"each of the {len(cmds)} commands of oioctl has a schema")

    seen = {n: 0 for n in validators}
    bad = {n: 0 for n in validators}
    unknown = {}
    for suite in args.suites.split(","):
        log = os.path.join(args.log_dir, suite, "tap.log")
        count = 0
        try:
            with open(log, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError as e:
            print(f"# {log}: {e.strerror}")
            lines = []
        for i, line in enumerate(lines, 1):
            line = line.rstrip("\r")
            if not line.startswith(PREFIX):
                continue
            count += 1
            name, _, text = line[len(PREFIX):].partition(" ")
            where = f"{suite}:{i}"
            if name not in validators:
                unknown[name] = unknown.get(name, 0) + 1
                print(f"# {where}: no schema {name}.schema.json")
                continue
            seen[name] += 1
            try:
                errors = sorted(validators[name].iter_errors(json.loads(text)),
                                key=lambda e: list(e.absolute_path))
            except ValueError as e:
                errors = [e]
            if errors:
                bad[name] += 1
                if bad[name] <= MAX_SHOWN:
                    for e in errors[:3]:
                        path = "/".join(str(x) for x in getattr(e, "absolute_path", []))
                        print(f"# {where}: {name}: /{path}: {getattr(e, 'message', e)}")
        tap.ok(count > 0, f"{suite}: {count} JSON outputs")
    for name in sorted(validators):
        tap.ok(seen[name] > 0 and not bad[name],
               f"{name}: {seen[name] - bad[name]}/{seen[name]} outputs valid")
    tap.ok(not unknown, f"no output names a missing schema ({sum(unknown.values())})")
    total = sum(seen.values())
    print(f"# {total} outputs checked, {sum(bad.values())} invalid, "
          f"{len([n for n in seen if seen[n]])}/{len(seen)} schemas used")
    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
