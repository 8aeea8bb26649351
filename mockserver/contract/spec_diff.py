"""``callr-mock spec diff [OURS] THEIRS``: how another OpenAPI document differs from ours.

Run the day Callr's official ``openapi.json`` is in hand, before passing it to ``--spec``:
operations added or removed; parameters (name, location, required, schema); request and
response bodies (required properties, types, enums, formats, patterns, bounds,
``additionalProperties``); status codes and content types; security schemes. Each
difference carries the provenance of *our* side (``x-provenance``, the nearest mark above
the element), and is a **contradiction** when it removes or changes something we mark
``confirmed``: our facts were wrong. Additions on their side (an operation, an optional
parameter, a status, a property) contradict nothing; nor do the two house decisions that
apply to every schema whatever its mark (``spec/README.md``): strict objects
(``additionalProperties``) and every response property listed as ``required``.

No Flask, no server: documents in, differences out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..base.wire import HTTP_METHODS
from .provenance import ABSENT, UNMARKED, Provenance, resolve

BOUNDS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "multipleOf",
    "const",
)
NOT_CONTRADICTING = {
    "operation-added",
    "parameter-added",
    "status-added",
    "content-type-added",
    "property-added",
    "security-scheme-added",
    "request-body-added",
    "additional-properties",
}
MAX_DEPTH = 40


@dataclass
class Difference:
    kind: str
    operation: str
    where: str
    ours: Any
    theirs: Any
    provenance: Provenance

    @property
    def contradicts(self) -> bool:
        if self.kind == "required-removed" and self.where.startswith("response"):
            return False  # HOUSE_REQUIRED: every response property is required, by decision
        return self.provenance.level == "confirmed" and self.kind not in NOT_CONTRADICTING

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "operation": self.operation,
            "where": self.where,
            "ours": self.ours,
            "theirs": self.theirs,
            "provenance": self.provenance.to_json(),
            "contradicts": self.contradicts,
        }


class _Side:
    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document
        servers = document.get("servers") or [{}]
        first = servers[0] if isinstance(servers[0], dict) else {}
        self.prefix = urlsplit(str(first.get("url") or "")).path.rstrip("/")

    def operations(self) -> dict[tuple[str, str], tuple[str, dict[str, Any], dict[str, Any]]]:
        """(METHOD, normalised full path) → (label, operation, path item); the operation
        carries its JSON pointer under ``x-pointer`` for provenance sources."""
        found = {}
        for path, item in (self.doc.get("paths") or {}).items():
            item, _, _ = resolve(self.doc, item, "", UNMARKED)
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    full = self.prefix + path
                    key = (method.upper(), _normalise(full))
                    label = f"{method.upper()} {path}" + (
                        f" ({op['operationId']})" if op.get("operationId") else ""
                    )
                    pointer = "#/paths/" + path.replace("~", "~0").replace("/", "~1")
                    found[key] = (label, {**op, "x-pointer": f"{pointer}/{method}"}, item)
        return found

    def parameters(
        self, op: dict[str, Any], item: dict[str, Any], prov: Provenance
    ) -> dict[tuple[str, str], tuple[dict[str, Any], Provenance]]:
        params: dict[tuple[str, str], tuple[dict[str, Any], Provenance]] = {}
        for raw in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
            param, _, mark = resolve(self.doc, raw, "", prov)
            if isinstance(param, dict) and "name" in param and "in" in param:
                name = str(param["name"])
                name = name.lower() if param["in"] == "header" else name
                params[(str(param["in"]), name)] = (param, mark)
        return params


def _normalise(path: str) -> str:
    import re

    return re.sub(r"{[^}]+}", "{}", path.rstrip("/") or "/")


def _types(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type")
    types = set(declared) if isinstance(declared, list) else {declared} if declared else set()
    if schema.get("nullable") is True and types:
        types.add("null")  # OpenAPI 3.0's way of saying it
    return sorted(str(t) for t in types)


class SpecDiff:
    def __init__(self, ours: dict[str, Any], theirs: dict[str, Any]) -> None:
        self.ours = _Side(ours)
        self.theirs = _Side(theirs)
        self.differences: list[Difference] = []

    def run(self) -> list[Difference]:
        self.differences = []
        self._security()
        ours_ops = self.ours.operations()
        theirs_ops = self.theirs.operations()
        for key, (label, op, item) in ours_ops.items():
            _, _, prov = resolve(self.ours.doc, op, op["x-pointer"], UNMARKED)
            if key not in theirs_ops:
                self._add("operation-removed", label, "operation", "present", "absent", prov)
                continue
            _, their_op, their_item = theirs_ops[key]
            self._operation(label, op, item, their_op, their_item, prov)
        for key, (label, _, _) in theirs_ops.items():
            if key not in ours_ops:
                self._add("operation-added", label, "operation", "absent", "present", ABSENT)
        return self.differences

    def _add(
        self, kind: str, operation: str, where: str, ours: Any, theirs: Any, prov: Provenance
    ) -> None:
        self.differences.append(Difference(kind, operation, where, ours, theirs, prov))

    # -- security ---------------------------------------------------------------------
    def _security(self) -> None:
        def schemes(side: _Side) -> dict[str, Any]:
            found = (side.doc.get("components") or {}).get("securitySchemes") or {}
            return found if isinstance(found, dict) else {}

        ours, theirs = schemes(self.ours), schemes(self.theirs)
        for name, scheme in ours.items():
            scheme, _, prov = resolve(self.ours.doc, scheme, "", UNMARKED)
            where = f"security scheme {name}"
            if name not in theirs:
                self._add("security-scheme-removed", "(document)", where, "present", "absent", prov)
                continue
            other, _, _ = resolve(self.theirs.doc, theirs[name], "", UNMARKED)
            for field in ("type", "in", "name", "scheme", "bearerFormat"):
                if _norm(scheme.get(field)) != _norm(other.get(field)):
                    self._add(
                        "security-scheme-changed",
                        "(document)",
                        f"{where} {field}",
                        scheme.get(field),
                        other.get(field),
                        prov,
                    )
        for name in theirs:
            if name not in ours:
                self._add(
                    "security-scheme-added",
                    "(document)",
                    f"security scheme {name}",
                    "absent",
                    "present",
                    ABSENT,
                )

    # -- one operation ------------------------------------------------------------------
    def _operation(
        self,
        label: str,
        op: dict[str, Any],
        item: dict[str, Any],
        their_op: dict[str, Any],
        their_item: dict[str, Any],
        prov: Provenance,
    ) -> None:
        ours_params = self.ours.parameters(op, item, prov)
        theirs_params = self.theirs.parameters(their_op, their_item, UNMARKED)
        for key, (param, mark) in ours_params.items():
            where = f"parameter {key[0]} {key[1]}"
            if key not in theirs_params:
                self._add("parameter-removed", label, where, "present", "absent", mark)
                continue
            other = theirs_params[key][0]
            required = bool(param.get("required", key[0] == "path"))
            their_required = bool(other.get("required", key[0] == "path"))
            if required != their_required:
                self._add("parameter-required", label, where, required, their_required, mark)
            self._schema(label, where, param.get("schema") or {}, other.get("schema") or {}, mark)
        for key, (other, _) in theirs_params.items():
            if key not in ours_params:
                required = bool(other.get("required", key[0] == "path"))
                # a new required parameter breaks every call made the way we document it
                self._add(
                    "parameter-required" if required else "parameter-added",
                    label,
                    f"parameter {key[0]} {key[1]}",
                    "absent",
                    "required" if required else "optional",
                    prov if required else ABSENT,
                )
        self._request_body(label, op, their_op, prov)
        self._responses(label, op, their_op, prov)

    def _request_body(
        self, label: str, op: dict[str, Any], their_op: dict[str, Any], prov: Provenance
    ) -> None:
        ours, _, mark = resolve(self.ours.doc, op.get("requestBody"), "", prov)
        theirs, _, _ = resolve(self.theirs.doc, their_op.get("requestBody"), "", UNMARKED)
        if not ours and not theirs:
            return
        if not theirs:
            self._add("request-body-removed", label, "request body", "present", "absent", mark)
            return
        if not ours:
            self._add("request-body-added", label, "request body", "absent", "present", ABSENT)
            return
        if bool(ours.get("required")) != bool(theirs.get("required")):
            self._add(
                "request-body-required",
                label,
                "request body",
                bool(ours.get("required")),
                bool(theirs.get("required")),
                mark,
            )
        self._content(label, "request body", ours, theirs, mark)

    def _responses(
        self, label: str, op: dict[str, Any], their_op: dict[str, Any], prov: Provenance
    ) -> None:
        ours = op.get("responses") or {}
        theirs = their_op.get("responses") or {}
        for status, response in ours.items():
            where = f"response {status}"
            response, _, mark = resolve(self.ours.doc, response, "", prov)
            if str(status) not in {str(s) for s in theirs}:
                self._add("status-removed", label, where, "declared", "absent", mark)
                continue
            other = next(v for s, v in theirs.items() if str(s) == str(status))
            other, _, _ = resolve(self.theirs.doc, other, "", UNMARKED)
            self._content(label, where, response, other, mark)
        for status in theirs:
            if str(status) not in {str(s) for s in ours}:
                self._add("status-added", label, f"response {status}", "absent", "declared", ABSENT)

    def _content(
        self,
        label: str,
        where: str,
        ours: dict[str, Any],
        theirs: dict[str, Any],
        prov: Provenance,
    ) -> None:
        ours_content = ours.get("content") or {}
        theirs_content = theirs.get("content") or {}
        for content_type, media in ours_content.items():
            if content_type not in theirs_content:
                self._add(
                    "content-type-removed",
                    label,
                    f"{where} {content_type}",
                    "declared",
                    "absent",
                    prov,
                )
                continue
            self._schema(
                label,
                f"{where} {content_type}",
                (media or {}).get("schema") or {},
                (theirs_content[content_type] or {}).get("schema") or {},
                prov,
            )
        for content_type in theirs_content:
            if content_type not in ours_content:
                self._add(
                    "content-type-added",
                    label,
                    f"{where} {content_type}",
                    "absent",
                    "declared",
                    ABSENT,
                )

    # -- schemas ------------------------------------------------------------------------
    def _schema(
        self,
        label: str,
        where: str,
        ours: Any,
        theirs: Any,
        prov: Provenance,
        pointer: str = "",
        depth: int = 0,
    ) -> None:
        if depth > MAX_DEPTH:
            return
        ours, prov = self._flatten(self.ours.doc, ours, prov)
        theirs, _ = self._flatten(self.theirs.doc, theirs, UNMARKED)
        at = f"{where} {pointer or '/'}"
        for kind, ours_value, theirs_value in _keyword_differences(ours, theirs):
            self._add(kind, label, at, ours_value, theirs_value, prov)
        ours_props = ours.get("properties") or {}
        theirs_props = theirs.get("properties") or {}
        if isinstance(ours_props, dict) and isinstance(theirs_props, dict):
            for name, sub in ours_props.items():
                sub_pointer = f"{pointer}/{name}"
                if name not in theirs_props:
                    _, _, mark = resolve(self.ours.doc, sub, "", prov)
                    self._add(
                        "property-removed",
                        label,
                        f"{where} {sub_pointer}",
                        "present",
                        "absent",
                        mark,
                    )
                    continue
                self._schema(label, where, sub, theirs_props[name], prov, sub_pointer, depth + 1)
            for name in theirs_props:
                if name not in ours_props:
                    self._add(
                        "property-added",
                        label,
                        f"{where} {pointer}/{name}",
                        "absent",
                        "present",
                        prov,
                    )
        if isinstance(ours.get("items"), dict) and isinstance(theirs.get("items"), dict):
            self._schema(
                label, where, ours["items"], theirs["items"], prov, f"{pointer}/*", depth + 1
            )
        for combinator in ("anyOf", "oneOf"):
            ours_list, theirs_list = ours.get(combinator), theirs.get(combinator)
            if isinstance(ours_list, list) and isinstance(theirs_list, list):
                if len(ours_list) != len(theirs_list):
                    self._add(
                        "schema-changed",
                        label,
                        f"{at} {combinator}",
                        f"{len(ours_list)} alternatives",
                        f"{len(theirs_list)} alternatives",
                        prov,
                    )
                    continue
                for index, (a, b) in enumerate(zip(ours_list, theirs_list, strict=True)):
                    self._schema(
                        label, where, a, b, prov, f"{pointer}/{combinator}/{index}", depth + 1
                    )

    def _flatten(
        self, document: dict[str, Any], schema: Any, prov: Provenance
    ) -> tuple[dict[str, Any], Provenance]:
        """Resolve ``$ref``s and merge ``allOf`` parts into one schema (for comparing)."""
        schema, _, prov = resolve(document, schema, "", prov)
        if not isinstance(schema, dict):
            return {}, prov
        parts = schema.get("allOf")
        if not isinstance(parts, list):
            return schema, prov
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in parts:
            flat, prov = self._flatten(document, part, prov)
            for key, value in flat.items():
                if key == "properties" and isinstance(value, dict):
                    merged["properties"] = {**value, **(merged.get("properties") or {})}
                elif key == "required" and isinstance(value, list):
                    merged["required"] = sorted({*value, *(merged.get("required") or [])})
                else:
                    merged.setdefault(key, value)
        return merged, prov


def _norm(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _keyword_differences(
    ours: dict[str, Any], theirs: dict[str, Any]
) -> Iterator[tuple[str, Any, Any]]:
    ours_types, theirs_types = _types(ours), _types(theirs)
    if ours_types and theirs_types and ours_types != theirs_types:
        yield "type", ours_types, theirs_types
    elif bool(ours_types) != bool(theirs_types):
        yield "type", ours_types or "any", theirs_types or "any"
    if "enum" in ours or "enum" in theirs:
        # shown as the values only one side has (or "any" where a side has no enum)
        a = {json.dumps(v) for v in ours.get("enum") or []}
        b = {json.dumps(v) for v in theirs.get("enum") or []}
        if a != b:
            yield (
                "enum",
                {"only ours": [json.loads(v) for v in sorted(a - b)]} if "enum" in ours else "any",
                {"only theirs": [json.loads(v) for v in sorted(b - a)]}
                if "enum" in theirs
                else "any",
            )
    for keyword in ("format", "pattern"):
        if ours.get(keyword) != theirs.get(keyword):
            yield keyword, ours.get(keyword), theirs.get(keyword)
    for keyword in BOUNDS:
        if ours.get(keyword) != theirs.get(keyword):
            yield "bounds", {keyword: ours.get(keyword)}, {keyword: theirs.get(keyword)}
    ours_required = set(ours.get("required") or [])
    theirs_required = set(theirs.get("required") or [])
    if ours_required - theirs_required:
        yield "required-removed", sorted(ours_required - theirs_required), "optional"
    if theirs_required - ours_required:
        yield "required-added", "optional", sorted(theirs_required - ours_required)
    strict, their_strict = (
        ours.get("additionalProperties") is False,
        theirs.get("additionalProperties") is False,
    )
    if ("properties" in ours or "properties" in theirs) and strict != their_strict:
        yield (
            "additional-properties",
            "forbidden" if strict else "allowed",
            "forbidden" if their_strict else "allowed",
        )


def diff_specs(ours: dict[str, Any], theirs: dict[str, Any]) -> list[Difference]:
    return SpecDiff(ours, theirs).run()


# -- rendering ------------------------------------------------------------------------------
def render(differences: list[Difference], ours: str, theirs: str, fmt: str = "text") -> str:
    contradictions = [d for d in differences if d.contradicts]
    if fmt == "json":
        return json.dumps(
            {
                "ours": ours,
                "theirs": theirs,
                "differences": [d.to_json() for d in differences],
                "contradictions": len(contradictions),
            },
            indent=2,
            ensure_ascii=False,
        )
    head = (
        f"{len(differences)} difference(s) between {ours} (ours) and {theirs} (theirs); "
        f"{len(contradictions)} contradict(s) what we mark confirmed"
    )
    ordered = sorted(differences, key=lambda d: (not d.contradicts, d.operation, d.where))
    if fmt == "markdown":
        lines = [
            "# Spec diff",
            "",
            head + ".",
            "",
            "| | operation | where | kind | ours | theirs | our provenance |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for d in ordered:
            cells = [
                "**contradicts**" if d.contradicts else "",
                f"`{d.operation}`",
                d.where,
                d.kind,
                _show(d.ours),
                _show(d.theirs),
                str(d.provenance),
            ]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return "\n".join(lines) + "\n"
    lines = [head]
    for d in ordered:
        flag = "CONTRADICTS " if d.contradicts else ""
        lines.append(f"- {flag}{d.operation}: {d.where}: {d.kind}")
        lines.append(f"    ours {_show(d.ours)}  theirs {_show(d.theirs)}")
        lines.append(f"    our provenance: {d.provenance}")
    return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 100 else text[:99] + "…"


def main(ours_path: str | None, theirs_path: str, fmt: str = "text") -> int:
    """Exit status: 1 when THEIRS contradicts something we mark confirmed, else 0."""
    from .spec import load_spec

    ours = load_spec(ours_path)
    theirs = load_spec(theirs_path)
    differences = diff_specs(ours, theirs)
    ours_name = ours_path or "callr-v2.yaml (packaged)"
    print(render(differences, ours_name, theirs_path, fmt), end="")
    return 1 if any(d.contradicts for d in differences) else 0


__all__ = ["Difference", "SpecDiff", "diff_specs", "main", "render"]
