"""Opening a model: every bad input is an InputError naming the file; ModelInfo identifies the file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bimcheck.errors import InputError
from bimcheck.model.ifcmodel import open_model
from tests.builders import ModelBuilder
from tests.conftest import SHARED_MODELS, require_shared

HEADER = """ISO-10303-21;
HEADER;
FILE_DESCRIPTION(('ViewDefinition [ReferenceView]'),'2;1');
FILE_NAME('house.ifc','2024-03-01T10:20:30',('A'),('K'),'Preprocessor 1.2','Authoring Tool 7','');
FILE_SCHEMA(('{schema}'));
ENDSEC;
DATA;
"""

APPLICATION = """#1=IFCPERSON($,'Doe',$,$,$,$,$,$);
#2=IFCORGANIZATION($,'Org',$,$,$);
#3=IFCPERSONANDORGANIZATION(#1,#2,$);
#4=IFCAPPLICATION(#2,'24.1','Revit Exporter','RVT');
#5=IFCPROJECT('0YvctVUKr0kugbFTf53O9L',$,'P',$,$,$,$,$,$);
"""


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _step(schema: str = "IFC4", data: str = APPLICATION) -> str:
    return HEADER.format(schema=schema) + data + "ENDSEC;\nEND-ISO-10303-21;\n"


def _refused(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        open_model(path)
    error = caught.value
    assert error.path == str(path)
    assert str(path) in error.one_line()
    assert "\n" not in error.one_line()
    return error


# --- errors --------------------------------------------------------------------------------


def test_a_missing_file_is_refused_by_name(tmp_path: Path) -> None:
    assert "does not exist" in _refused(tmp_path / "nowhere.ifc").problem


def test_a_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "model.ifc"
    folder.mkdir()
    assert "directory" in _refused(folder).problem


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    assert "empty" in _refused(_write(tmp_path, "empty.ifc", b"")).problem


def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    whole = _step()
    truncated = whole[: whole.index("ENDSEC;\nEND-ISO")]  # cut before the end of DATA
    assert "truncated" in _refused(_write(tmp_path, "cut.ifc", truncated)).problem


def test_a_file_of_garbage_is_refused(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, "junk.ifc", "this is not STEP at all\nEND-ISO-10303-21;\n"))
    assert "not a readable IFC file" in error.problem


def test_binary_garbage_is_refused(tmp_path: Path) -> None:
    assert _refused(_write(tmp_path, "zip.ifc", b"PK\x03\x04" + bytes(range(256)) * 4))


@pytest.mark.parametrize("schema", ["IFC2X2_FINAL", "IFC2X_FINAL", "IFC5"])
def test_an_unsupported_schema_is_refused_and_the_supported_ones_are_named(
    tmp_path: Path, schema: str
) -> None:
    data = "#1=IFCPROJECT('0YvctVUKr0kugbFTf53O9L',$,'P',$,$,$,$,$,$);\n"
    error = _refused(_write(tmp_path, "old.ifc", _step(schema, data)))
    assert "unsupported IFC schema" in error.problem
    assert "IFC2X3, IFC4, IFC4X3" in error.problem


# --- identity ------------------------------------------------------------------------------


def test_model_info_carries_the_sha256_size_and_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "house.ifc", _step())
    info = open_model(path).info
    data = path.read_bytes()
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size == len(data)
    assert info.path == str(path)
    assert info.name == "house.ifc"
    assert info.schema == "IFC4"
    assert info.timestamp == "2024-03-01T10:20:30"
    assert info.preprocessor == "Preprocessor 1.2"
    assert info.originating_system == "Authoring Tool 7"
    assert info.authoring_application == "Revit Exporter 24.1"


def test_missing_header_texts_become_none(tmp_path: Path) -> None:
    text = _step(data="#1=IFCPROJECT('0YvctVUKr0kugbFTf53O9L',$,'P',$,$,$,$,$,$);\n")
    text = text.replace("'Preprocessor 1.2','Authoring Tool 7'", "'',' '")
    info = open_model(_write(tmp_path, "bare.ifc", text)).info
    assert info.preprocessor is None
    assert info.originating_system is None
    assert info.authoring_application is None


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4", "IFC4X3"])
def test_each_supported_schema_opens(tmp_path: Path, schema: str) -> None:
    path = ModelBuilder(schema).save(tmp_path / f"{schema}.ifc")
    model = open_model(path)
    assert model.info.schema.startswith(schema)
    assert model.schema.name.startswith(schema)


def test_the_hash_changes_with_a_single_byte(tmp_path: Path) -> None:
    a = open_model(_write(tmp_path, "a.ifc", _step())).info.sha256
    b = open_model(_write(tmp_path, "b.ifc", _step().replace("'P'", "'Q'"))).info.sha256
    assert a != b


@pytest.mark.parametrize(
    ("name", "schema", "application", "timestamp"),
    [
        # Values read from the files' headers by hand (head -12 on each model).
        ("AC20-FZK-Haus.ifc", "IFC4", "ARCHICAD-64 20.0.0", "2016-12-21T17:54:06"),
        ("Duplex_A_20110907.ifc", "IFC2X3", "Autodesk Revit Architecture 2011 2011", "2011-09-07T12:28:29"),
        ("IfcOpenHouse_IFC4.ifc", "IFC4", "IfcOpenShell 0.5.0-dev", "2014-05-05T15:42:14"),
    ],
)
def test_real_models_report_their_header(name: str, schema: str, application: str, timestamp: str) -> None:
    path = require_shared(SHARED_MODELS / name)
    info = open_model(path).info
    assert info.schema == schema
    assert info.authoring_application == application
    assert info.timestamp == timestamp
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
