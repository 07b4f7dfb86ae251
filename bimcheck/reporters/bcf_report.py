"""BCF 2.1 / 3.0 report: a topic per failing element (or per requirement) for suppliers' BIM tools."""

from __future__ import annotations

import math
import re
import struct
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bimcheck.results import (
    ElementResult,
    FloorPlan,
    ModelInfo,
    RequirementResult,
    RunResult,
    Severity,
    Status,
    Suppression,
)

# The XML is written as text and the zip by hand rather than through IfcOpenShell's bcf-client:
# that library serialises ~1000 topics a second (10 000 failures would take 12 s against a 2 s
# target), stamps zip entries with the wall clock (so reports would not be reproducible), and
# imports ifcopenshell, which reporters must not. Tests read every file back with bcf-client
# and validate it against the buildingSMART XSDs.

VERSIONS = ("2.1", "3.0")
AUTHOR = "bimcheck"
TOPIC_STATUS = "Open"
# A waived finding (baseline) is a closed topic rather than no topic: it stays visible with its
# reason, and a BIM tool that imported the open topic earlier (same GUID) sees it closed.
WAIVED_STATUS = "Closed"
WAIVED_LABEL = "waived"
# uuid5 namespace of every GUID bimcheck writes into BCF. Never change it: re-checking an unchanged
# model must give the same topic GUIDs, so a BIM tool updates its topics instead of duplicating them.
NAMESPACE = uuid.UUID("08e78c6c-2583-5c96-b0a8-0ce1ef74e7c7")

# Element statuses that make a topic: the requirement was not shown to be met for that element.
TOPIC_STATUSES = (Status.FAIL, Status.NOT_EVALUABLE, Status.ERROR)
TOPIC_TYPE = {Status.FAIL: "Issue", Status.NOT_EVALUABLE: "Request", Status.ERROR: "Error"}
PRIORITY = {Severity.ERROR: "High", Severity.WARNING: "Normal", Severity.INFO: "Low"}
# Failing elements are painted in the viewpoint, by what is wrong with them; waived ones grey.
COLOUR = {
    Status.FAIL: "E0301E",
    Status.NOT_EVALUABLE: "F0A000",
    Status.ERROR: "A030C0",
    Status.SUPPRESSED: "909090",
}

# Camera: a 60° perspective view from the south-west, looking down 50° at the target, far enough
# that a sphere around the outline (plus a margin for context) fits the view; 60° because BCF 2.1
# says viewers may only accept 45–60°. A clipping plane at the usual plan cut height above the
# storey floor removes the storeys above, which would otherwise hide the element from above.
FIELD_OF_VIEW = 60.0
ASPECT_RATIO = 16 / 9
PITCH = math.radians(50)
MARGIN = 1.0  # m around an outline
CUT_HEIGHT = 1.2  # m above the storey elevation: where architectural plans are cut
TARGET_HEIGHT = 1.0  # m above the storey elevation: middle of what a plan cut shows
# Without any outline (the run has no plans) the camera looks at the project origin, where most
# models are placed, from far enough to see a house: viewers also offer "zoom to selection".
DEFAULT_BOX = (-15.0, -15.0, 15.0, 15.0)

_IFC_GUID = re.compile(r"[0-9A-Za-z_$]{22}")
_XML_DATETIME = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "mandatory": "mandatory",
        "scored": "scored",
        "fail": "fails",
        "not_evaluable": "cannot be evaluated",
        "error": "could not be checked",
        "requirement": "Requirement",
        "severity": "severity",
        "model": "model",
        "regulation": "Regulation",
        "edition": "edition",
        "element": "Element",
        "elements": "elements",
        "on": "on storey",
        "expected": "expected",
        "observed": "observed",
        "nothing": "nothing",
        "source": "source",
        "instructions": "Instructions",
        "verification": "Verification",
        "key_figure": "Key figure",
        "no_element": "No single element is to blame",
        "suppressed": "is waived",
        "waived": "Waived",
        "was": "was",
        "approved_by": "approved by",
        "expires": "valid through",
    },
    "sv": {
        "mandatory": "ska-krav",
        "scored": "bör-krav",
        "fail": "uppfyller inte kravet",
        "not_evaluable": "kan inte bedömas",
        "error": "kunde inte kontrolleras",
        "requirement": "Krav",
        "severity": "allvarlighetsgrad",
        "model": "modell",
        "regulation": "Regelverk",
        "edition": "utgåva",
        "element": "Objekt",
        "elements": "objekt",
        "on": "på våning",
        "expected": "krav",
        "observed": "uppmätt",
        "nothing": "inget",
        "source": "källa",
        "instructions": "Instruktioner",
        "verification": "Verifiering",
        "key_figure": "Nyckeltal",
        "no_element": "Inget enskilt objekt är orsaken",
        "suppressed": "har undantag",
        "waived": "Undantag",
        "was": "var",
        "approved_by": "godkänt av",
        "expires": "gäller till och med",
    },
}

Vec = tuple[float, float, float]
Box = tuple[float, float, float, float]  # xmin, ymin, xmax, ymax in world metres


@dataclass(frozen=True, slots=True)
class Camera:
    """A perspective camera in world metres; `clip_above` cuts away everything higher."""

    position: Vec
    direction: Vec
    up: Vec
    field_of_view: float
    clip_above: float | None


@dataclass(frozen=True, slots=True)
class Topic:
    """One BCF topic, before it is written as XML."""

    guid: str
    viewpoint_guid: str
    title: str
    description: str
    topic_type: str
    priority: str
    labels: tuple[str, ...]
    model: ModelInfo | None
    components: tuple[tuple[str, Status], ...]  # IfcGuid and what is wrong with it
    spaces_visible: bool
    camera: Camera
    status: str = TOPIC_STATUS


def render(run: RunResult, version: str = "2.1", group: bool = False, lang: str = "en") -> bytes:
    """The BCF-XML zip of every failing element (or requirement, with `group`) of a run."""
    if version not in VERSIONS:
        raise ValueError(f"BCF version {version!r}: choose from {', '.join(VERSIONS)}")
    found = topics(run, group=group, lang=lang)

    def files() -> Iterable[tuple[str, str]]:
        yield "bcf.version", _version_xml(version)
        yield "project.bcfp", _project_xml(run, version)
        if version == "3.0":
            yield "extensions.xml", _extensions_xml(found)
        for index, topic in enumerate(found):
            yield f"{topic.guid}/markup.bcf", _markup_xml(topic, version, run.created, index)
            yield f"{topic.guid}/viewpoint.bcfv", _viewpoint_xml(topic, version)

    return _zip(files(), _zip_time(run.created))


def topics(run: RunResult, group: bool = False, lang: str = "en") -> list[Topic]:
    """The topics of a run, in run order: per failing element, or per failing requirement."""
    words = _WORDS.get(lang, _WORDS["en"])
    models = {m.name: m for m in run.models}
    places = _Places(run.plans)
    out: list[Topic] = []
    for requirement in run.requirements:
        if not requirement.failed and requirement.status is not Status.SUPPRESSED:
            continue
        model = models.get(requirement.model)
        digest = model.sha256 if model else requirement.model
        bad = tuple(e for e in requirement.elements if e.status in (*TOPIC_STATUSES, Status.SUPPRESSED))
        if group or not bad:
            key = f"{digest}/{requirement.id}"
            out.append(_topic(key, requirement, bad, model, places, words, single=False))
            continue
        seen: set[str] = set()
        for element in bad:
            ident = element.global_id or f"#{element.step_id}"
            if ident in seen:  # duplicate GlobalIds exist in real models; topic GUIDs must not
                ident = f"{ident}#{element.step_id}"
            seen.add(ident)
            key = f"{digest}/{requirement.id}/{ident}"
            out.append(_topic(key, requirement, (element,), model, places, words, single=True))
    return out


def _topic(
    key: str,
    requirement: RequirementResult,
    elements: tuple[ElementResult, ...],
    model: ModelInfo | None,
    places: _Places,
    words: dict[str, str],
    single: bool,
) -> Topic:
    guid = str(uuid.uuid5(NAMESPACE, key))
    status = elements[0].status if single else requirement.status
    waived = status is Status.SUPPRESSED
    suppression = elements[0].suppression if single else requirement.suppression
    if waived and suppression is not None:
        status = suppression.status  # the topic type says what was wrong, its status that it is waived
    if single:
        element = elements[0]
        title = f"{requirement.id} {requirement.title}: {element.ifc_class} {_element_name(element)}"
    else:
        count = f" ({len(elements)} {words['elements']})" if elements else ""
        title = f"{requirement.id} {requirement.title}{count}"
    return Topic(
        guid=guid,
        viewpoint_guid=str(uuid.uuid5(NAMESPACE, f"{key}/viewpoint")),
        title=title,
        description=_description(requirement, elements, model, words),
        topic_type=TOPIC_TYPE.get(status, "Issue"),
        priority=PRIORITY[requirement.severity],
        labels=(requirement.id, requirement.kind.value, requirement.severity.value)
        + ((WAIVED_LABEL,) if waived else ()),
        model=model,
        components=tuple(
            (e.global_id, e.status) for e in elements if e.global_id and _IFC_GUID.fullmatch(e.global_id)
        ),
        spaces_visible=any(e.ifc_class.lower() == "ifcspace" for e in elements),
        camera=places.camera(requirement.model, elements),
        status=WAIVED_STATUS if waived else TOPIC_STATUS,
    )


def _element_name(element: ElementResult) -> str:
    ident = element.global_id or f"#{element.step_id}"
    return f'"{element.name}" ({ident})' if element.name else ident


def _description(
    requirement: RequirementResult,
    elements: Sequence[ElementResult],
    model: ModelInfo | None,
    words: dict[str, str],
) -> str:
    r = requirement
    model_name = model.name if model else r.model
    lines = [
        f"{words['requirement']} {r.id}: {r.title}",
        f"{words[r.kind]}, {words['severity']} {r.severity.value}, {words['model']} {model_name}",
    ]
    if r.regulation is not None:
        reg = r.regulation.reference
        if r.regulation.edition:
            reg += f", {words['edition']} {r.regulation.edition}"
        if r.regulation.url:
            reg += f" ({r.regulation.url})"
        lines.append(f"{words['regulation']}: {reg}")
    if r.description:
        lines.append(r.description)
    lines.append("")
    for element in elements:
        where = f" {words['on']} {element.storey}" if element.storey else ""
        name = f' "{element.name}"' if element.name else ""
        ident = element.global_id or f"#{element.step_id}"
        lines.append(f"{words['element']} {element.ifc_class} {ident}{name}{where}: {words[element.status]}")
        if element.suppression is not None:
            lines.append(f"  {_waived(element.suppression, words)}")
        findings = [f for f in element.findings if f.status is not Status.PASS] or list(element.findings)
        for f in findings:
            if f.expected is None:
                lines.append(f"  - {f.facet}: {f.message}")
                continue
            observed = f.observed if f.observed is not None else words["nothing"]
            source = f" ({words['source']}: {f.source})" if f.source else ""
            lines.append(
                f"  - {f.facet}: {words['expected']} {f.expected}; {words['observed']} {observed}{source}"
            )
    if not elements:
        lines.append(f"{words['no_element']}: {r.message or r.status.value}")
    if r.status is Status.SUPPRESSED and r.suppression is not None:
        lines.append(_waived(r.suppression, words))
    for k in r.key_figures:
        if k.status in TOPIC_STATUSES:
            group = f" [{k.group}]" if k.group else ""
            value = "—" if k.value is None else f"{k.value:g}{' ' + k.unit if k.unit else ''}"
            expected = f"; {words['expected']} {k.expected}" if k.expected else ""
            lines.append(f"{words['key_figure']} {k.name}{group}: {value}{expected}")
    if r.message and elements:
        lines.append(r.message)
    if r.instructions:
        lines.append(f"{words['instructions']}: {r.instructions}")
    if r.verification:
        lines.append(f"{words['verification']}: {r.verification}")
    return "\n".join(lines).strip()


def _waived(s: Suppression, words: dict[str, str]) -> str:
    parts = [f"{words['approved_by']} {s.approved_by}, {s.date}"]
    if s.expires:
        parts.append(f"{words['expires']} {s.expires}")
    if s.source:
        parts.append(s.source)
    return f"{words['waived']} ({words['was']} {s.status.value}): {s.reason} ({'; '.join(parts)})"


# --- where elements are, from the run's floor plans ---------------------------------------------


class _Places:
    """Plan outlines by model and GlobalId, storey and model extents: what a camera aims at."""

    def __init__(self, plans: Iterable[FloorPlan]) -> None:
        self.elements: dict[tuple[str, str], tuple[Box, float | None]] = {}
        self.storeys: dict[tuple[str, str], tuple[Box, float | None]] = {}
        self.models: dict[str, Box] = {}
        for plan in plans:
            storey_box: Box | None = None
            for item in plan.items:
                points = [pt for polygon in item.polygons if polygon for pt in polygon[0]]
                if not points:
                    continue
                box = _bounds(points)
                if item.global_id:
                    self.elements.setdefault((plan.model, item.global_id), (box, plan.elevation))
                storey_box = _union(storey_box, box)
            if storey_box is not None:
                self.storeys[(plan.model, plan.storey)] = (storey_box, plan.elevation)
                self.models[plan.model] = _union(self.models.get(plan.model), storey_box)

    def camera(self, model: str, elements: Sequence[ElementResult]) -> Camera:
        """Aim at the elements' outlines; else their storeys; else the model; else the origin."""
        for lookup in (
            lambda e: self.elements.get((model, e.global_id)) if e.global_id else None,
            _around_position,
            lambda e: self.storeys.get((model, e.storey)) if e.storey else None,
        ):
            found = [p for p in map(lookup, elements) if p is not None]
            if found:
                box = found[0][0]
                for other, _ in found[1:]:
                    box = _union(box, other)
                levels = [z for _, z in found if z is not None]
                return _camera(box, min(levels, default=None), max(levels, default=None))
        if model in self.models:
            return _camera(self.models[model], None, None)
        return _camera(DEFAULT_BOX, None, None)


def _around_position(element: ElementResult) -> tuple[Box, float | None] | None:
    """Without a plan outline, a 1 m box around the element's placement origin."""
    if element.position is None:
        return None
    x, y, z = element.position
    return (x - 0.5, y - 0.5, x + 0.5, y + 0.5), z


def _bounds(points: Iterable[tuple[float, float]]) -> Box:
    xs, ys = zip(*points, strict=True)
    return (min(xs), min(ys), max(xs), max(ys))


def _union(a: Box | None, b: Box) -> Box:
    if a is None:
        return b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _camera(box: Box, low: float | None, high: float | None) -> Camera:
    """A camera that sees the whole box from above, cut above the highest storey involved."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    bottom = 0.0 if low is None else low
    top = bottom if high is None else high
    target = (cx, cy, (bottom + top) / 2 + TARGET_HEIGHT)
    radius = math.hypot(box[2] - box[0], box[3] - box[1], top - bottom) / 2 + MARGIN
    distance = radius / math.sin(math.radians(FIELD_OF_VIEW / 2))
    horizontal = (math.sqrt(0.5), math.sqrt(0.5))  # towards north-east: the camera stands south-west
    cos_p, sin_p = math.cos(PITCH), math.sin(PITCH)
    direction = (horizontal[0] * cos_p, horizontal[1] * cos_p, -sin_p)
    up = (horizontal[0] * sin_p, horizontal[1] * sin_p, cos_p)
    position = (
        target[0] - direction[0] * distance,
        target[1] - direction[1] * distance,
        target[2] - direction[2] * distance,
    )
    return Camera(position, direction, up, FIELD_OF_VIEW, None if high is None else high + CUT_HEIGHT)


# --- XML ----------------------------------------------------------------------------------------
# Text templates, escaped here: an order of magnitude faster than building trees, and the output
# is validated against the XSDs in the tests.


def _text(value: str) -> str:
    # Characters XML 1.0 cannot hold (control codes from a model's names) become U+FFFD.
    value = _NOT_XML.sub("\ufffd", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return (
        _text(value)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def _num(value: float, digits: int = 3) -> str:
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no "-0.000"


def _vec(tag: str, v: Vec, digits: int = 3) -> str:
    return f"<{tag}><X>{_num(v[0], digits)}</X><Y>{_num(v[1], digits)}</Y><Z>{_num(v[2], digits)}</Z></{tag}>"


_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _version_xml(version: str) -> str:
    if version == "2.1":
        return f'{_HEAD}<Version VersionId="2.1"><DetailedVersion>2.1</DetailedVersion></Version>\n'
    return f'{_HEAD}<Version VersionId="{version}"/>\n'


def _project_xml(run: RunResult, version: str) -> str:
    digests = "/".join(sorted(m.sha256 for m in run.models))
    project_id = uuid.uuid5(NAMESPACE, f"project/{digests}")
    name = _text("bimcheck: " + (", ".join(m.name for m in run.models) or "no model"))
    project = f'<Project ProjectId="{project_id}"><Name>{name}</Name></Project>'
    if version == "2.1":
        return f"{_HEAD}<ProjectExtension>{project}<ExtensionSchema></ExtensionSchema></ProjectExtension>\n"
    return f"{_HEAD}<ProjectInfo>{project}</ProjectInfo>\n"


def _extensions_xml(found: Sequence[Topic]) -> str:
    # BCF 3.0 readers take the allowed values of these fields from here.
    def listing(outer: str, inner: str, values: Iterable[str]) -> str:
        items = "".join(f"<{inner}>{_text(v)}</{inner}>" for v in sorted(set(values)))
        return f"<{outer}>{items}</{outer}>"

    return (
        f"{_HEAD}<Extensions>"
        + listing("TopicTypes", "TopicType", TOPIC_TYPE.values())
        + listing("TopicStatuses", "TopicStatus", [TOPIC_STATUS, *(t.status for t in found)])
        + listing("Priorities", "Priority", PRIORITY.values())
        + listing("TopicLabels", "TopicLabel", (label for t in found for label in t.labels))
        + listing("Users", "User", [AUTHOR])
        + "</Extensions>\n"
    )


def _file_xml(model: ModelInfo | None, version: str) -> str:
    if model is None:
        return ""
    date = (
        f"<Date>{model.timestamp}</Date>"
        if model.timestamp and _XML_DATETIME.fullmatch(model.timestamp)
        else ""
    )
    name, path = _text(model.name), _text(model.path)
    # BCF names the model by its IfcProject GlobalId (2.1: the File's IfcProject attribute;
    # 3.0: the same attribute, for tools that open the model a topic refers to).
    project = f' IfcProject="{_text(model.project_guid)}"' if model.project_guid else ""
    file = f"<File{project}><Filename>{name}</Filename>{date}<Reference>{path}</Reference></File>"
    return f"<Header>{file}</Header>" if version == "2.1" else f"<Header><Files>{file}</Files></Header>"


def _markup_xml(topic: Topic, version: str, created: str, index: int) -> str:
    date = created if _XML_DATETIME.fullmatch(created) else "1980-01-01T00:00:00Z"
    parts = [
        _HEAD,
        "<Markup>",
        _file_xml(topic.model, version),
        f'<Topic Guid="{topic.guid}" TopicType="{topic.topic_type}" TopicStatus="{topic.status}">',
        f"<Title>{_text(topic.title)}</Title>",
        f"<Priority>{topic.priority}</Priority>",
    ]
    labels = "".join(f"<Labels>{_text(v)}</Labels>" for v in topic.labels)
    if version == "2.1":
        parts.append(f"<Index>{index}</Index>{labels}")
    else:
        parts.append("<Labels>" + "".join(f"<Label>{_text(v)}</Label>" for v in topic.labels) + "</Labels>")
    parts.append(f"<CreationDate>{date}</CreationDate><CreationAuthor>{AUTHOR}</CreationAuthor>")
    parts.append(f"<Description>{_text(topic.description)}</Description>")
    viewpoint = "<Viewpoint>viewpoint.bcfv</Viewpoint><Index>0</Index>"
    if version == "2.1":
        parts.append(f'</Topic><Viewpoints Guid="{topic.viewpoint_guid}">{viewpoint}</Viewpoints>')
    else:
        viewpoint = f'<ViewPoint Guid="{topic.viewpoint_guid}">{viewpoint}</ViewPoint>'
        parts.append(f"<Viewpoints>{viewpoint}</Viewpoints></Topic>")
    parts.append("</Markup>\n")
    return "".join(parts)


def _viewpoint_xml(topic: Topic, version: str) -> str:
    def component(guid: str) -> str:
        return f'<Component IfcGuid="{guid}"/>'

    hints = '<ViewSetupHints SpacesVisible="true"/>' if topic.spaces_visible else ""
    selection = ""
    if topic.components:
        selection = "<Selection>" + "".join(component(g) for g, _ in topic.components) + "</Selection>"
    if version == "2.1":
        visibility = '<Visibility DefaultVisibility="true"/>'
        components = hints + selection + visibility
    else:
        components = selection + f'<Visibility DefaultVisibility="true">{hints}</Visibility>'
    by_colour: dict[str, list[str]] = {}
    for guid, status in topic.components:
        by_colour.setdefault(COLOUR[status], []).append(guid)
    if by_colour:
        colours = []
        for colour, guids in sorted(by_colour.items()):
            inner = "".join(component(g) for g in guids)
            colours.append(
                f'<Color Color="{colour}">'
                + (inner if version == "2.1" else f"<Components>{inner}</Components>")
                + "</Color>"
            )
        components += "<Coloring>" + "".join(colours) + "</Coloring>"
    cam = topic.camera
    aspect = f"<AspectRatio>{_num(ASPECT_RATIO, 6)}</AspectRatio>" if version == "3.0" else ""
    camera = (
        "<PerspectiveCamera>"
        + _vec("CameraViewPoint", cam.position, 3)
        + _vec("CameraDirection", cam.direction, 6)
        + _vec("CameraUpVector", cam.up, 6)
        + f"<FieldOfView>{_num(cam.field_of_view, 1)}</FieldOfView>{aspect}</PerspectiveCamera>"
    )
    clipping = ""
    if cam.clip_above is not None:
        # The plane's direction points to the side that is clipped away: up, above the cut.
        location = (cam.position[0], cam.position[1], cam.clip_above)
        plane = _vec("Location", location, 3) + _vec("Direction", (0.0, 0.0, 1.0), 1)
        clipping = f"<ClippingPlanes><ClippingPlane>{plane}</ClippingPlane></ClippingPlanes>"
    return (
        f'{_HEAD}<VisualizationInfo Guid="{topic.viewpoint_guid}">'
        f"<Components>{components}</Components>{camera}{clipping}</VisualizationInfo>\n"
    )


def _zip_time(created: str) -> tuple[int, int, int, int, int, int]:
    # Entries carry the run's time, not the wall clock, so that a re-render is byte-identical.
    try:
        t = datetime.fromisoformat(created)
    except ValueError:
        return (1980, 1, 1, 0, 0, 0)
    if t.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (t.year, t.month, t.day, t.hour, t.minute, t.second)


# --- zip -----------------------------------------------------------------------------------------
# Written here rather than with zipfile: a BCF holds two small files per topic, and zipfile's
# per-entry bookkeeping cost more than everything else together (1.2 s of 2.3 s for 14 000 topics).
# Deflate level 1 is four times faster than zlib's default here, for an archive a few per cent larger.
# Plain zip 2.0 entries, with the zip64 end records only when there are more than 65 535 of them.

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")
_MODE = 0o100644 << 16  # a regular file, rw-r--r--, for unzip on Unix
_MADE_BY = 3 << 8 | 20  # Unix, zip 2.0


def _zip(files: Iterable[tuple[str, str]], stamp: tuple[int, int, int, int, int, int]) -> bytes:
    """A deflated zip archive of (name, text) pairs, identical bytes for identical input."""
    year, month, day, hour, minute, second = stamp
    dos_time = hour << 11 | minute << 5 | second // 2
    dos_date = (year - 1980) << 9 | month << 5 | day
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, text in files:
        data = text.encode("utf-8")
        raw_name = name.encode("ascii")  # topic GUIDs and fixed names only
        crc = zlib.crc32(data)
        compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
        body = compressor.compress(data) + compressor.flush()
        sizes = (crc, len(body), len(data), len(raw_name))
        chunks.append(_LOCAL.pack(b"PK\x03\x04", 20, 0, 8, dos_time, dos_date, *sizes, 0))
        chunks.append(raw_name)
        chunks.append(body)
        header = (b"PK\x01\x02", _MADE_BY, 20, 0, 8, dos_time, dos_date, *sizes, 0, 0, 0, 0, _MODE, offset)
        central.append(_CENTRAL.pack(*header) + raw_name)
        offset += _LOCAL.size + len(raw_name) + len(body)
    directory = b"".join(central)
    count = len(central)
    if offset + len(directory) > 0xFFFFFFFF:
        raise ValueError("BCF archive larger than 4 GiB")
    tail = b""
    if count > 0xFFFF:
        end64 = _END64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory), offset)
        locator = _LOCATOR64.pack(b"PK\x06\x07", 0, offset + len(directory), 1)
        tail = end64 + locator
    end = _END.pack(b"PK\x05\x06", 0, 0, min(count, 0xFFFF), min(count, 0xFFFF), len(directory), offset, 0)
    return b"".join((*chunks, directory, tail, end))
