"""Verify a compliance XML: recompute its inputs' hashes, re-run the check, compare, check the signature."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from bimcheck.errors import InputError, refuse_device
from bimcheck.reporters.xml_report import NAMESPACE, SCHEMA_VERSION, STATUS_ATTRIBUTES, build, schema
from bimcheck.results import NOT_FAILING, Kind, ModelInfo, RuleSourceInfo, RunResult, Status, ToolInfo

if TYPE_CHECKING:
    from cryptography import x509

_N = f"{{{NAMESPACE}}}"

# Kinds of difference, in the order they are reported, with the heading each is printed under.
HEADINGS = {
    "signature": "signature",
    "tender": "changed tender file",
    "model": "changed model",
    "rules": "changed rules",
    "parameters": "parameters",
    "report": "edited report",
    "result": "different result",
}


@dataclass(frozen=True, slots=True)
class Difference:
    """One way the report and what its inputs produce disagree."""

    kind: str  # a key of HEADINGS
    where: str  # what differs, in domain terms: model, file, requirement › element › finding
    problem: str

    def render(self) -> str:
        return f"{HEADINGS[self.kind]}: {self.where}: {self.problem}"


@dataclass(slots=True)
class Verification:
    """The outcome of `bimcheck verify`: differences (none means verified), warnings and notes."""

    report: Path
    differences: list[Difference] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signature_valid: bool = False

    @property
    def verified(self) -> bool:
        return not self.differences

    def of_kind(self, kind: str) -> list[Difference]:
        return [d for d in self.differences if d.kind == kind]

    def lines(self, limit: int | None = 50) -> Iterator[str]:
        """The verdict, then each difference grouped by kind, then notes and warnings."""
        if self.verified:
            yield f"{self.report}: verified"
        else:
            count = len(self.differences)
            yield f"{self.report}: NOT verified: {count} difference{'s' if count != 1 else ''}"
        for kind in HEADINGS:
            found = self.of_kind(kind)
            shown = found if limit is None else found[:limit]
            for d in shown:
                yield f"  {d.render()}"
            if len(found) > len(shown):
                more = len(found) - len(shown)
                yield f"  … and {more} more {HEADINGS[kind]} difference(s) (--all lists them)"
        for note in self.notes:
            yield f"  {note}"
        for warning in self.warnings:
            yield f"warning: {warning}"


def sha256_of(path: Path, what: str) -> str:
    refuse_device(path)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except FileNotFoundError:
        raise InputError(path, f"{what} file does not exist") from None
    except IsADirectoryError:
        raise InputError(path, f"is a directory, not a {what} file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read {what} file: {exc.strerror or exc}") from None
    return digest.hexdigest()


# --- reading the report ------------------------------------------------------------------


def read_report(path: Path) -> tuple[bytes, etree._Element]:
    """The report's bytes and tree: safely parsed (no DTD, no entities) and valid against the XSD."""
    from bimcheck.rules.ids import parse_xml

    root = parse_xml(path, "report").getroot()
    data = path.read_bytes()
    namespace = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "ComplianceReport" or not namespace.startswith(
        "urn:bimcheck:compliance:"
    ):
        raise InputError(path, f"not a bimcheck compliance report (root element {etree.QName(root).text})")
    if namespace != NAMESPACE:
        version = namespace.rsplit(":", 1)[-1]
        raise InputError(
            path, f"compliance report version {version} is not supported: this bimcheck reads 1.x"
        )
    said = root.get("schemaVersion", "")
    if _minor(said) > _minor(SCHEMA_VERSION):
        raise InputError(
            path,
            f"schemaVersion {said} is newer than this bimcheck reads ({SCHEMA_VERSION}): update bimcheck",
        )
    try:
        schema().assertValid(root)
    except etree.DocumentInvalid as exc:
        problem = " ".join(str(exc).split())
        raise InputError(path, f"not a valid bimcheck compliance report: {problem}") from None
    return data, root


def _minor(version: str) -> int:
    _, _, minor = version.partition(".")
    return int(minor) if minor.isdigit() else 0


@dataclass(frozen=True, slots=True)
class _Recorded:
    """What the report says about its inputs."""

    created: str
    tool: ToolInfo
    parameters: dict[str, str]
    models: list[tuple[str, str, str]]  # name, path, sha256
    rule_sources: list[tuple[str, str]]  # path, sha256


def _recorded(root: etree._Element) -> _Recorded:
    tool = root.find(_N + "Tool")
    assert tool is not None  # the XSD requires it
    return _Recorded(
        created=root.get("created", ""),
        tool=ToolInfo(
            name=tool.get("name", ""),
            version=tool.get("version", ""),
            ifcopenshell=tool.get("ifcopenshell", ""),
            python=tool.get("python", ""),
        ),
        parameters={
            p.get("name", ""): p.get("value", "") for p in root.iterfind(f"{_N}Parameters/{_N}Parameter")
        },
        models=[
            (m.get("name", ""), m.get("path", ""), m.get("sha256", ""))
            for m in root.iterfind(f"{_N}Models/{_N}Model")
        ],
        rule_sources=[
            (s.get("path", ""), s.get("sha256", "")) for s in root.iterfind(f"{_N}RuleSources/{_N}RuleSource")
        ],
    )


def _created(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


# --- the workflow --------------------------------------------------------------------------


def verify(
    report: str | Path,
    models: Sequence[str | Path],
    rules: Sequence[str | Path],
    parameters: Mapping[str, str] | None = None,
    *,
    require_signature: bool = False,
    trust: Sequence[str | Path] = (),
    tender: str | Path | None = None,
) -> Verification:
    """Check that `report` is what `models` and `rules` give, and that its signature holds.

    An evaluation report (written by `bimcheck evaluate`) is checked against its `tender`
    file instead, which names the requirement files and models.

    Raises InputError (exit 2) for an unreadable or invalid report, a missing file, or a model
    or requirement file the report does not account for.
    """
    from bimcheck.reporters import signing

    path = Path(report)
    if _root_name(path) == "EvaluationReport":
        from bimcheck.workflows.evaluate import verify_evaluation

        if models or rules:
            raise InputError(
                path,
                "an evaluation report is verified against its tender file, which names the models and "
                "requirement files: give --tender TENDER.yaml instead of --model and -r",
            )
        if tender is None:
            raise InputError(path, "an evaluation report: give the tender file it was made from (--tender)")
        return verify_evaluation(
            path, Path(tender), parameters or {}, require_signature=require_signature, trust=trust
        )
    if tender is not None:
        raise InputError(path, "--tender is for evaluation reports; this is not one (give --model and -r)")
    data, root = read_report(path)
    recorded = _recorded(root)
    trusted = [c for t in trust for c in signing.load_certificates(t)]
    out = Verification(path)

    content = _check_signature(data, root, recorded.created, trusted, require_signature, out)
    _check_consistency(content, out)
    model_paths = _match_models(path, recorded, [Path(m) for m in models], out)
    rule_paths = _match_rules(path, recorded, [Path(r) for r in rules], out)
    _check_asserted_parameters(recorded.parameters, parameters or {}, out)

    run = _rerun(recorded, model_paths, rule_paths, out)
    if run is not None:
        run = _with_recorded_baseline(content, run, out)
        _compare(content, run, out)
        _judge(recorded.tool, run.tool, out)
    return out


def _root_name(path: Path) -> str | None:
    """The local name of a report's root element, read without parsing the rest; None if unreadable
    (read_report then says why)."""
    try:
        for _, element in etree.iterparse(
            str(path), events=("start",), resolve_entities=False, no_network=True, load_dtd=False
        ):
            return etree.QName(element).localname
    except (OSError, etree.XMLSyntaxError):
        return None
    return None


def _check_signature(
    data: bytes,
    root: etree._Element,
    created: str,
    trusted: Sequence[x509.Certificate],
    require: bool,
    out: Verification,
) -> etree._Element:
    """Check the signature if there is one; returns the content to compare (without it)."""
    from bimcheck.reporters import signing

    signature = signing.find_signature(root)
    unsigned = _without_signature(root)
    if signature is None:
        if require:
            out.differences.append(
                Difference("signature", "report", "the report is not signed (--require-signature)")
            )
        elif trusted:
            out.differences.append(
                Difference("signature", "report", "the report is not signed, but --trust was given")
            )
        else:
            out.notes.append("signature: none (the report is not signed)")
        return unsigned
    result = signing.check(data, root, _created(created), trusted)
    who = f"certificate {result.subject} (SHA-256 fingerprint {result.fingerprint})" if result.subject else ""
    if not result.valid:
        out.differences.append(
            Difference(
                "signature", "report", f"INVALID: {result.problem}" + (f"; signed with {who}" if who else "")
            )
        )
        return unsigned
    out.signature_valid = True
    if result.trusted is False:
        out.differences.append(
            Difference(
                "signature", "report", f"valid, but signed with {who}, which --trust does not name or issue"
            )
        )
    elif result.trusted:
        out.notes.append(f"signature: valid, by a trusted {who}")
    else:
        out.notes.append(
            f"signature: valid, by {who} embedded in the report. This proves the report is unchanged "
            "since it was signed, not who signed it: give --trust CERT.pem to require a certificate you know."
        )
    if result.not_after is not None and result.not_after < datetime.now(result.not_after.tzinfo):
        out.notes.append(
            f"signature: the certificate has expired since ({result.not_after:%Y-%m-%d}); it was checked "
            "at the time the report says it was made"
        )
    # Compare what the signature covers, not what surrounds it (signxml's advice against
    # signature wrapping); the check above already insists that it is the whole document.
    return unsigned if result.signed is None else _without_signature(result.signed)


def _without_signature(root: etree._Element) -> etree._Element:
    from bimcheck.reporters.signing import SIGNATURE_TAG

    copy = etree.fromstring(etree.tostring(root))
    for node in copy.findall(SIGNATURE_TAG):
        copy.remove(node)
    return copy


def _match_models(report: Path, recorded: _Recorded, given: list[Path], out: Verification) -> list[Path]:
    """The given model files in the report's order, each hashed and compared."""
    by_name: dict[str, Path] = {}
    names = {name for name, _, _ in recorded.models}
    for p in given:
        name = p.name if p.name in names else str(p)
        if name not in names:
            covered = ", ".join(sorted(names)) or "none"
            raise InputError(p, f"not a model of this report (it covers: {covered})")
        if name in by_name:
            raise InputError(p, "the same model is given twice")
        by_name[name] = p
    ordered = []
    for name, recorded_path, sha in recorded.models:
        if name not in by_name:
            raise InputError(
                report, f"the report covers model {name!r} ({recorded_path}): give it with --model"
            )
        p = by_name[name]
        actual = sha256_of(p, "model")
        if actual != sha:
            out.differences.append(
                Difference(
                    "model",
                    f"{name} ({p})",
                    f"SHA-256 is {actual}, the report says {sha}: "
                    "the model is not the one the report was made from",
                )
            )
        ordered.append(p)
    return ordered


def _match_rules(report: Path, recorded: _Recorded, given: list[Path], out: Verification) -> list[Path]:
    """The given requirement files (directories expanded) in the report's order, hashed and compared."""
    from bimcheck.rules.loader import rule_files

    files = rule_files(given)
    unmatched = list(files)
    ordered = []
    for recorded_path, sha in recorded.rule_sources:
        match = _find_rule_file(recorded_path, unmatched)
        if match is None:
            raise InputError(
                report, f"the report was made with requirement file {recorded_path!r}: give it with -r"
            )
        unmatched.remove(match)
        actual = sha256_of(match, "requirement")
        if actual != sha:
            out.differences.append(
                Difference(
                    "rules",
                    f"{recorded_path} ({match})" if str(match) != recorded_path else recorded_path,
                    f"SHA-256 is {actual}, the report says {sha}: the requirement file has been changed",
                )
            )
        ordered.append(match)
    for extra in unmatched:
        if extra.resolve() == report.resolve():  # a directory of rules that also holds the report
            continue
        out.differences.append(
            Difference(
                "rules", str(extra), "not among the report's requirement files; left out of the re-run"
            )
        )
    return ordered


def _find_rule_file(recorded: str, candidates: list[Path]) -> Path | None:
    """The file the report names: the same path, the same file, or the only one of that name."""
    for p in candidates:
        if str(p) == recorded:
            return p
    target = Path(recorded).resolve()
    for p in candidates:
        if p.resolve() == target:
            return p
    same_name = [p for p in candidates if p.name == Path(recorded).name]
    return same_name[0] if len(same_name) == 1 else None


def _same_value(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def _check_asserted_parameters(
    recorded: Mapping[str, str], asserted: Mapping[str, str], out: Verification
) -> None:
    """--param NAME=VALUE on verify asks that the report was made with that value."""
    for name, value in sorted(asserted.items()):
        if name not in recorded:
            out.differences.append(
                Difference("parameters", name, f"not among the report's parameters (asked for {value!r})")
            )
        elif not _same_value(recorded[name], value):
            out.differences.append(
                Difference("parameters", name, f"the report was made with {recorded[name]!r}, not {value!r}")
            )


def _rerun(recorded: _Recorded, models: list[Path], rules: list[Path], out: Verification) -> RunResult | None:
    """Check the models again with the report's rules and parameters; paths as the report has them.

    None when the requirement files refuse the report's parameter values: then there is
    nothing to compare, and that refusal is the difference.
    """
    from bimcheck.engine import run_check
    from bimcheck.errors import RuleError
    from bimcheck.rules.loader import load_rules

    declared = load_rules(rules).parameters
    for name in sorted(set(recorded.parameters) - set(declared)):
        out.differences.append(
            Difference("parameters", name, "in the report, but no requirement file given declares it")
        )
    overrides = {k: v for k, v in recorded.parameters.items() if k in declared}
    try:
        ruleset = load_rules(rules, overrides)
    except RuleError as exc:  # the files loaded without the overrides: a value is refused
        out.differences.append(
            Difference(
                "parameters", "report", f"the requirement files refuse its parameter values: {exc.one_line()}"
            )
        )
        return None
    run = run_check(models, ruleset)
    # Files are identified by their hashes; where they lie now is not part of the result.
    model_paths = {
        str(p): recorded_path for p, (_, recorded_path, _) in zip(models, recorded.models, strict=True)
    }
    rule_paths = {
        str(p): recorded_path for p, (recorded_path, _) in zip(rules, recorded.rule_sources, strict=True)
    }

    def source(value: str | None) -> str | None:
        if value is None:
            return None
        file, sep, line = value.rpartition(":")
        return f"{rule_paths.get(file, file)}{sep}{line}" if sep and file in rule_paths else value

    return replace(
        run,
        models=tuple(replace(m, path=model_paths.get(m.path, m.path)) for m in run.models),
        rule_sources=tuple(replace(s, path=rule_paths.get(s.path, s.path)) for s in run.rule_sources),
        requirements=tuple(replace(r, source=source(r.source)) for r in run.requirements),
    )


def _with_recorded_baseline(content: etree._Element, run: RunResult, out: Verification) -> RunResult:
    """Apply the waivers the report records, as of the day it records: they are part of its result.

    The report carries every waiver in full (selection, reason, approver, dates), so the
    baseline file itself is not needed; a waiver edited in the report shows as a difference.
    """
    from bimcheck.procurement.baseline import Baseline, apply_baseline, entry_from_waiver, parse_date
    from bimcheck.results import Waiver, WaiverState

    recorded = content.find(_N + "Baseline")
    if recorded is None:
        return run
    waivers = []
    for w in recorded.iterfind(_N + "Waiver"):
        waivers.append(
            Waiver(
                requirement=w.get("requirement", ""),
                reason=w.findtext(_N + "Reason") or "",
                approved_by=w.get("approvedBy", ""),
                date=w.get("date", ""),
                state=WaiverState(w.get("state", "applied")),
                expires=w.get("expires"),
                global_id=w.get("globalId"),
                ifc_class=w.get("class"),
                name=w.get("name"),
                storey=w.get("storey"),
                model=w.get("model"),
                source=w.get("source"),
            )
        )
    baseline = Baseline(
        path=recorded.get("path", ""),
        sha256=recorded.get("sha256", ""),
        entries=tuple(entry_from_waiver(w) for w in waivers),
    )
    as_of = recorded.get("asOf", "")
    out.notes.append(
        f"baseline: the report applies {len(waivers)} waiver(s) of {baseline.path} as of {as_of}; "
        "they were applied again from the report"
    )
    return apply_baseline(run, baseline, parse_date(as_of))


# --- comparing ----------------------------------------------------------------------------

_MISSING = "produced by the inputs, but missing from the report"
_SECTION_KIND = {
    "Parameters": "parameters",
    "Models": "model",
    "RuleSources": "rules",
    "Baseline": "result",
    "Summary": "result",
    "Results": "result",
}


def _compare(content: etree._Element, run: RunResult, out: Verification) -> None:
    """Render the re-run as the report would be and compare it, section by section.

    The run's identity (timestamp, tool versions) and the files' hashes are taken from the
    report: they were compared on their own, with their own messages.
    """
    models = {m.get("name"): m for m in content.iterfind(f"{_N}Models/{_N}Model")}
    sources = {s.get("path"): s for s in content.iterfind(f"{_N}RuleSources/{_N}RuleSource")}

    def model_as_recorded(m: ModelInfo) -> ModelInfo:
        el = models.get(m.name)
        return m if el is None else replace(m, sha256=el.get("sha256", ""), size=int(el.get("size", "0")))

    def source_as_recorded(s: RuleSourceInfo) -> RuleSourceInfo:
        el = sources.get(s.path)
        return s if el is None else replace(s, sha256=el.get("sha256", ""))

    as_recorded = replace(
        run,
        created=content.get("created", ""),
        tool=_recorded(content).tool,
        models=tuple(model_as_recorded(m) for m in run.models),
        rule_sources=tuple(source_as_recorded(s) for s in run.rule_sources),
    )
    expected = build(as_recorded)
    # A report of an older 1.x schema verifies when its content is what the inputs give:
    # additions since are written only when used, so only the version number differs.
    expected.set("schemaVersion", content.get("schemaVersion", SCHEMA_VERSION))
    etree.indent(expected, space="  ")
    if _c14n(content) == _c14n(expected):
        return
    found: list[Difference] = []
    for section, kind in _SECTION_KIND.items():
        a, b = content.find(_N + section), expected.find(_N + section)
        if a is not None and b is not None:
            _diff(a, b, "", kind, found)
    if not found:
        found.append(
            Difference(
                "report",
                "text",
                "the content matches, but the report is not in canonical form "
                "(whitespace or comments were edited)",
            )
        )
    out.differences.extend(found)
    if any(
        d.where.startswith("requirement ") and "›" not in d.where and d.problem == _MISSING for d in found
    ):
        out.notes.append(
            "a requirement missing from the report was removed from it, or the check was run with "
            "--only/--skip, which a report does not record"
        )


def _c14n(root: etree._Element) -> bytes:
    return etree.tostring(root, method="c14n", with_comments=True)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _label(el: etree._Element, index: int) -> str | None:
    """How a person names an element of the report; None for pure containers."""
    tag = _local(el)
    get = el.get
    if tag == "Requirement":
        return f"requirement {get('id')} on {get('model')}"
    if tag == "Element":
        ident = get("globalId") or f"#{get('stepId')}"
        name = f' "{get("name")}"' if get("name") is not None else ""
        return f"element {ident} ({get('class')}{name})"
    if tag == "Finding":
        return f"finding {index + 1} ({get('facet')})"
    if tag == "KeyFigure":
        group = f" [{get('group')}]" if get("group") is not None else ""
        return f"key figure {get('name')!r}{group}"
    if tag == "Parameter":
        return f"parameter {get('name')}"
    if tag == "Model":
        return f"model {get('name')}"
    if tag == "RuleSource":
        return f"requirement file {get('path')}"
    if tag == "ModelSummary":
        return f"summary of {get('model')}"
    if tag in ("Facet", "Note"):
        return f"{tag.lower()} {index + 1}"
    # Evaluation reports (bimcheck evaluate)
    if tag == "Bid":
        return f"bid {get('id')} ({get('supplier')})"
    if tag == "Outcome":
        return f"outcome of {get('requirement')}"
    if tag == "Criterion":
        return f"requirement {get('id')}"
    if tag == "Reason":
        return f"reason {index + 1} ({get('requirement') or get('effect')})"
    if tag == "Term":
        return f"term {get('name')}" + (f" {get('ref')}" if get("ref") else "")
    if tag == "Component":
        return f"LCC component {get('id')}"
    if tag == "Rank":
        return f"rank of bid {get('bid')}"
    if tag == "Setting":
        return f"setting {get('name')}"
    if tag == "Example":
        return f"example {index + 1}"
    if tag == "LifeCycleCost":
        return "life-cycle cost"
    if tag in ("Results", "Elements", "KeyFigures", "Parameters", "Models", "RuleSources"):
        return None
    if tag in ("Bids", "Criteria", "Outcomes", "Reasons"):
        return None
    if tag == "RequiredFacets":
        return "required facets"
    if tag == "IfcHeader":
        return "IFC header"
    return tag[0].lower() + "".join(f" {c.lower()}" if c.isupper() else c for c in tag[1:])


def _key(el: etree._Element, index: int) -> tuple[str | None, ...]:
    tag = _local(el)
    if tag == "Requirement":
        return (tag, el.get("model"), el.get("id"))
    if tag == "Element":
        return (tag, el.get("globalId") or f"#{el.get('stepId')}")
    if tag == "KeyFigure":
        return (tag, el.get("name"), el.get("group"))
    if tag in ("Parameter", "Model"):
        return (tag, el.get("name"))
    if tag == "ModelSummary":
        return (tag, el.get("model"))
    if tag == "RuleSource":
        return (tag, el.get("path"))
    if tag in ("Finding", "Facet", "Note", "Example", "Reason"):
        return (tag, str(index))
    # Evaluation reports (bimcheck evaluate)
    if tag in ("Bid", "Criterion", "Component"):
        return (tag, el.get("id"))
    if tag == "Outcome":
        return (tag, el.get("requirement"))
    if tag == "Term":
        return (tag, el.get("name"), el.get("ref"))
    if tag == "Rank":
        return (tag, el.get("bid"))
    if tag == "Setting":
        return (tag, el.get("name"))
    return (tag,)


def _keyed(parent: etree._Element) -> dict[tuple[str | None, ...], tuple[etree._Element, int]]:
    """Children by key; a key seen again (IDS ids need not be unique) gets its occurrence number."""
    out: dict[tuple[str | None, ...], tuple[etree._Element, int]] = {}
    seen: Counter[tuple[str | None, ...]] = Counter()
    positions: Counter[str] = Counter()
    for child in parent.iterchildren(tag=etree.Element):
        tag = _local(child)
        index = positions[tag]
        positions[tag] += 1
        key = _key(child, index)
        seen[key] += 1
        if seen[key] > 1:
            key = (*key, str(seen[key]))
        out[key] = (child, index)
    return out


def _show(value: str | None) -> str:
    if value is None:
        return "absent"
    return repr(value) if len(value) <= 200 else repr(value[:200] + "…")


def _diff(a: etree._Element, b: etree._Element, where: str, kind: str, out: list[Difference]) -> None:
    """Report (a) against re-run (b): attributes, leaf text, children matched by domain key."""
    names = [str(n) for n in a.attrib] + [str(n) for n in b.attrib if n not in a.attrib]
    for name in names:
        va, vb = a.get(name), b.get(name)
        if va != vb:
            out.append(
                Difference(
                    kind,
                    where or _local(a),
                    f"{name} is {_show(va)} in the report, the inputs give {_show(vb)}",
                )
            )
    if len(a) == 0 and len(b) == 0:
        ta, tb = a.text or "", b.text or ""
        if ta != tb:
            out.append(
                Difference(
                    kind, where or _local(a), f"the report says {_show(ta)}, the inputs give {_show(tb)}"
                )
            )
        return
    ka, kb = _keyed(a), _keyed(b)
    for key, (child, index) in ka.items():
        label = _label(child, index)
        path = " › ".join(p for p in (where, label) if p)
        if key in kb:
            _diff(child, kb[key][0], path, kind, out)
        else:
            out.append(Difference(kind, path, "in the report, but the inputs do not produce it"))
    for key, (child, index) in kb.items():
        if key not in ka:
            path = " › ".join(p for p in (where, _label(child, index)) if p)
            out.append(Difference(kind, path, _MISSING))
    if [k for k in ka if k in kb] != [k for k in kb if k in ka]:
        out.append(Difference(kind, where or _local(a), "the same entries in a different order"))


# --- internal consistency -------------------------------------------------------------------


def _check_consistency(root: etree._Element, out: Verification) -> None:
    """Counts and summaries that disagree with the entries they count mean a hand edit."""
    tallies: dict[str, list[tuple[Status, Kind]]] = {}
    for req in root.iterfind(f"{_N}Results/{_N}Requirement"):
        statuses = Counter(Status(e.get("status", "")) for e in req.iterfind(f"{_N}Elements/{_N}Element"))
        counts = req.find(_N + "Counts")
        if counts is not None:
            label = f"requirement {req.get('id')} on {req.get('model')}"
            expected = {attribute: statuses[status] for status, attribute in STATUS_ATTRIBUTES.items()}
            _check_counts(counts, expected, label, "its elements", out)
        status, kind = Status(req.get("status", "")), Kind(req.get("kind", ""))
        tallies.setdefault(req.get("model", ""), []).append((status, kind))
    summary = root.find(_N + "Summary")
    if summary is None:
        return
    everything = [t for ts in tallies.values() for t in ts]
    _check_counts(summary, _tally(everything), "summary", "its requirements", out)
    for model_summary in summary.iterfind(_N + "ModelSummary"):
        name = model_summary.get("model", "")
        _check_counts(
            model_summary, _tally(tallies.get(name, [])), f"summary of {name}", "its requirements", out
        )


def _tally(results: list[tuple[Status, Kind]]) -> dict[str, int]:
    tally = Counter(s for s, _ in results)
    return {
        "requirements": len(results),
        "mandatoryFailed": sum(1 for s, k in results if k is Kind.MANDATORY and s not in NOT_FAILING),
        "scoredFailed": sum(1 for s, k in results if k is Kind.SCORED and s not in NOT_FAILING),
        **{attribute: tally[status] for status, attribute in STATUS_ATTRIBUTES.items()},
    }


def _check_counts(
    el: etree._Element, expected: dict[str, int], label: str, what: str, out: Verification
) -> None:
    wrong = [(a, el.get(a), v) for a, v in expected.items() if el.get(a) is not None and el.get(a) != str(v)]
    if wrong:
        said = ", ".join(f"{a}={s}" for a, s, _ in wrong)
        actual = ", ".join(f"{a}={v}" for a, _, v in wrong)
        out.differences.append(
            Difference("report", label, f"says {said}, but {what} give {actual}: the report was edited")
        )


# --- the verdict -----------------------------------------------------------------------------


def _judge(recorded: ToolInfo, current: ToolInfo, out: Verification) -> None:
    """Say what the result differences mean, given what else differs."""
    versions = [
        (what, old, new)
        for what, old, new in (
            ("bimcheck", recorded.version, current.version),
            ("ifcopenshell", recorded.ifcopenshell, current.ifcopenshell),
        )
        if old != new
    ]
    if versions:
        said = ", ".join(f"{what} {old} (this is {new})" for what, old, new in versions)
        out.warnings.append(f"the report was made with {said}: results may legitimately differ")
    if recorded.python != current.python:
        out.notes.append(
            f"the report was made with Python {recorded.python}; this is Python {current.python}"
        )
    results = out.of_kind("result")
    if not results:
        return
    inputs_changed = any(out.of_kind(k) for k in ("tender", "model", "rules", "parameters"))
    if inputs_changed:
        out.notes.append("the result differences follow from the changed inputs listed above")
    elif not versions:
        how = (
            "it was edited before it was signed, or made by a modified bimcheck"
            if out.signature_valid
            else "its content was edited after it was made"
        )
        out.differences.append(
            Difference(
                "report",
                "results",
                "the report does not match what its own inputs produce (same model, requirement files, "
                f"parameters and tool versions): {how}",
            )
        )
