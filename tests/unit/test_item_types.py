"""The known item type table (sharing-api.md §6.14) and its lookups."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from geoshare.domain import item_types
from geoshare.domain.item_types import ItemType, canonical, default_keywords, parse_table, type_for_file_name

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_KEYS = {"type", "data", "extensions", "keywords", "purposeKeywords"}


def raw_table() -> list[dict[str, Any]]:
    text = resources.files("geoshare.domain").joinpath("item_types.json").read_text(encoding="utf-8")
    table = json.loads(text)
    assert isinstance(table, list)
    return table


def test_the_shipped_file_parses_into_the_full_reference_list() -> None:
    assert len(raw_table()) == len(item_types.ALL) > 150


def test_the_file_is_declared_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "domain/item_types.json" in config["tool"]["setuptools"]["package-data"]["geoshare"]


def test_every_entry_is_well_formed() -> None:
    for entry in raw_table():
        name = entry["type"]
        assert set(entry) <= ALLOWED_KEYS, name
        assert name == name.strip() and name, name
        assert entry["data"] in item_types.DATA_KINDS, name
        for ext in entry["extensions"]:
            assert ext == ext.lower() and "." not in ext and ext.strip() == ext and ext, name
        assert entry["keywords"] and all(isinstance(k, str) and k.strip() for k in entry["keywords"]), name
        if entry["extensions"]:
            assert entry["data"] in {"file", "file_or_url"}, name


def test_canonical_names_are_unique_ignoring_case() -> None:
    names = [entry["type"].casefold() for entry in raw_table()]
    assert len(names) == len(set(names))


MAIN_TYPES = [  # §6.14's main table: type, data kind, default typeKeywords
    ("Web Map", "text", ["Web Map", "Explorer Web Map", "Map", "Online Map", "ArcGIS Online"]),
    ("Web Scene", "text", ["Web Scene", "Map"]),
    ("Web Mapping Application", "url_or_text", ["Web Map", "Map", "Online Map", "Mapping Site"]),
    ("Mobile Application", "url_or_text", ["Mobile Application"]),
    ("Application", "none", ["Registered App"]),
    ("Feature Service", "url", ["Data", "Service", "Feature Service", "ArcGIS Server", "Feature Access"]),
    ("Map Service", "url", ["Data", "Service", "Map Service", "ArcGIS Server"]),
    ("Image Service", "url", ["Data", "Service", "Image Service", "ArcGIS Server"]),
    ("Vector Tile Service", "url", ["Data", "Service"]),
    ("Scene Service", "url", ["Data", "Service"]),
    ("Stream Service", "url", ["Data", "Service"]),
    ("WMS", "url", ["Data", "Service", "OGC"]),
    ("WMTS", "url", ["Data", "Service", "OGC"]),
    ("WFS", "url", ["Data", "Service", "OGC"]),
    ("OGCFeatureServer", "url", ["Data", "Service", "OGC"]),
    ("Geometry Service", "url", ["Tool", "Service", "Geometry Service", "ArcGIS Server"]),
    ("Geocoding Service", "url", ["Tool", "Service", "Geocoding Service", "ArcGIS Server"]),
    ("Network Analysis Service", "url", ["Tool", "Service", "Network Analysis Service", "ArcGIS Server"]),
    ("Geoprocessing Service", "url", ["Tool", "Service", "Geoprocessing Service", "ArcGIS Server"]),
    ("Geodata Service", "url", ["Data", "Service", "Geodata Service", "ArcGIS Server"]),
    ("Globe Service", "url", ["Data", "Service", "Globe Service", "ArcGIS Server"]),
    ("KML", "file_or_url", ["Data", "Map", "KML"]),
    ("Feature Collection", "text", ["Feature Collection"]),
    ("Feature Collection Template", "text", ["Feature Collection"]),
    ("CSV", "file", ["Data", "Text", "CSV"]),
    ("Shapefile", "file", ["Data", "Shapefile"]),
    ("File Geodatabase", "file", ["Data", "File Geodatabase"]),
    ("GeoJson", "file", ["Data", "GeoJson"]),
    ("GeoPackage", "file", ["Data"]),
    ("Service Definition", "file", ["Data", "Service", "Service Definition"]),
    ("Microsoft Excel", "file", ["Data", "Document", "Microsoft Excel"]),
    ("Microsoft Word", "file", ["Data", "Document", "Microsoft Word"]),
    ("Microsoft PowerPoint", "file", ["Data", "Document", "Microsoft Powerpoint"]),
    ("Visio Document", "file", ["Data", "Document", "Visio Document"]),
    ("PDF", "file", ["Data", "Document", "PDF"]),
    ("Image", "file", ["Data", "Image"]),
    ("Document Link", "url", ["Data", "Document"]),
    ("Code Sample", "file", ["Code"]),
    ("Code Attachment", "file", ["Code"]),
    ("Map Package", "file", ["Data", "Map Package"]),
    ("Layer Package", "file", ["Data", "Layer Package"]),
    ("Tile Package", "file", ["Data", "Tile Package"]),
    ("Vector Tile Package", "file", ["Data", "Vector Tile Package"]),
    ("Scene Layer Package", "file", ["Data", "Scene Layer Package"]),
    ("Project Package", "file", ["Data", "Project Package"]),
    ("Geoprocessing Package", "file", ["Data", "Geoprocessing Package"]),
    ("Locator Package", "file", ["Data", "Locator Package"]),
    ("Mobile Map Package", "file", ["Data", "Mobile Map Package"]),
    ("Notebook", "file", ["Notebook"]),
    ("Symbol Set", "text", ["Symbol Set"]),
    ("Color Set", "text", ["Color Set"]),
    ("Operations Dashboard Add In", "file", ["Application", "ArcGIS Operations Dashboard", "Add In"]),
    ("CityEngine Web Scene", "file", ["3D", "Map", "Scene", "Web"]),
]


@pytest.mark.parametrize(("name", "data", "keywords"), MAIN_TYPES, ids=[row[0] for row in MAIN_TYPES])
def test_main_types_carry_the_spec_data_kind_and_keywords(name: str, data: str, keywords: list[str]) -> None:
    found = canonical(name)
    assert found is not None
    assert (found.data, list(found.keywords)) == (data, keywords)


@pytest.mark.parametrize(
    "name",
    [
        "Dashboard",
        "StoryMap",
        "Operation View",
        "Hub Site Application",
        "Form",
        "Layer",
        "Map Document",
        "Pro Map",
        "Layout",
        "Style",
        "Project Template",
    ],
)
def test_other_types_the_spec_names_are_known(name: str) -> None:
    found = canonical(name)
    assert found is not None and found.type == name


def test_web_mapping_application_lists_its_purpose_keywords() -> None:
    found = canonical("Web Mapping Application")
    assert found is not None
    assert found.purpose_keywords == ("Ready To Use", "Configurable", "Code Sample")
    assert all(not t.purpose_keywords for t in item_types.ALL if t is not found)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("csv", "CSV"),
        ("web map", "Web Map"),
        ("  FEATURE SERVICE\t", "Feature Service"),
        ("Microsoft PowerPoint", "Microsoft Powerpoint"),
        ("geojson", "GeoJson"),
        ("Web Map", "Web Map"),
    ],
)
def test_lookup_ignores_case_and_surrounding_space(given: str, expected: str) -> None:
    found = canonical(given)
    assert found is not None and found.type == expected


@pytest.mark.parametrize(
    "given", ["", "   ", "Web Mapp", "Web  Map", "WebMap", "Web Map Service", "csv file"]
)
def test_unknown_types_are_none(given: str) -> None:
    assert canonical(given) is None


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("parks.csv", "CSV"),
        ("C:\\data\\Parks.GeoJSON", "GeoJson"),
        ("dir.v2/deck.pptx", "Microsoft Powerpoint"),
        ("tiles.tar.vtpk", "Vector Tile Package"),
        ("scan.TIF", "Image"),
        ("roads.kmz", "KML"),
        ("m.mmpk", "Mobile Map Package"),
        ("city.slpk", "Scene Layer Package"),
        ("cache.tpkx", "Compact Tile Package"),
    ],
)
def test_file_names_imply_a_type_by_extension(file_name: str, expected: str) -> None:
    found = type_for_file_name(file_name)
    assert found is not None and found.type == expected


@pytest.mark.parametrize(
    "file_name", ["parks.zip", "symbols.stylx", "README", ".csv", "parks.", "parks.xyz", "dir.csv/readme", ""]
)
def test_file_names_without_a_single_owner_imply_nothing(file_name: str) -> None:
    assert type_for_file_name(file_name) is None


def test_zip_is_shared_so_it_names_no_type() -> None:
    owners = [t.type for t in item_types.ALL if "zip" in t.extensions]
    assert {"Shapefile", "File Geodatabase", "Code Sample"} <= set(owners)


def csv_type() -> ItemType:
    found = canonical("CSV")
    assert found is not None
    return found


def test_keywords_default_to_the_type_keywords() -> None:
    assert default_keywords(csv_type(), []) == ["Data", "Text", "CSV"]


def test_user_keywords_follow_the_defaults_in_their_own_order() -> None:
    assert default_keywords(csv_type(), ["zeta", "alpha"]) == ["Data", "Text", "CSV", "zeta", "alpha"]


def test_keyword_repeats_are_dropped_ignoring_case_first_spelling_kept() -> None:
    merged = default_keywords(csv_type(), ["csv", "Parks", "DATA", "parks", "Trails"])
    assert merged == ["Data", "Text", "CSV", "Parks", "Trails"]


def test_keywords_are_trimmed_and_blanks_dropped() -> None:
    assert default_keywords(csv_type(), ["  Parks ", "", "   ", " CSV"]) == ["Data", "Text", "CSV", "Parks"]


def test_merging_leaves_the_type_unchanged() -> None:
    item_type = csv_type()
    default_keywords(item_type, ["Parks"])
    assert item_type.keywords == ("Data", "Text", "CSV")


@pytest.mark.parametrize(
    ("name", "source", "accepted"),
    [
        ("Web Map", "text", True),
        ("Web Map", "url", False),
        ("Web Map", "file", False),
        ("KML", "file", True),
        ("KML", "url", True),
        ("KML", "text", False),
        ("Web Mapping Application", "url", True),
        ("Web Mapping Application", "text", True),
        ("Web Mapping Application", "file", False),
        ("Feature Service", "url", True),
        ("Feature Service", "file", False),
        ("CSV", "file", True),
        ("CSV", "text", False),
        ("Application", "url", False),
        ("Application", "text", False),
        ("Application", "file", False),
        ("CSV", "dataUrl", False),
    ],
)
def test_data_kinds_decide_which_data_sources_suit(name: str, source: str, accepted: bool) -> None:
    found = canonical(name)
    assert found is not None and found.accepts(source) is accepted


GOOD = {"type": "Thing", "data": "file", "extensions": ["thg"], "keywords": ["Data"]}


def test_a_minimal_table_parses_with_optional_fields_defaulted() -> None:
    (thing,) = parse_table(json.dumps([{"type": "Thing", "data": "none", "keywords": ["X"]}]))
    assert thing == ItemType(type="Thing", data="none", extensions=(), keywords=("X",))
    assert parse_table(json.dumps([GOOD]))[0].extensions == ("thg",)


@pytest.mark.parametrize(
    "table",
    [
        {"not": "a list"},
        ["Thing"],
        [{**GOOD, "data": "blob"}],
        [{**GOOD, "data": None}],
        [{**GOOD, "type": ""}],
        [{**GOOD, "type": " Thing"}],
        [{**GOOD, "type": 7}],
        [{**GOOD, "extensions": ["THG"]}],
        [{**GOOD, "extensions": [".thg"]}],
        [{**GOOD, "extensions": [""]}],
        [{**GOOD, "extensions": "thg"}],
        [{**GOOD, "keywords": []}],
        [{**GOOD, "keywords": [" "]}],
        [{**GOOD, "keywords": [3]}],
        [{k: v for k, v in GOOD.items() if k != "keywords"}],
        [{**GOOD, "purposeKeywords": [""]}],
        [GOOD, {**GOOD, "type": "THING"}],
    ],
)
def test_bad_tables_are_refused(table: Any) -> None:
    with pytest.raises(ValueError):
        parse_table(json.dumps(table))


def test_every_type_the_python_client_knows_is_in_the_table() -> None:
    contentds = pytest.importorskip("arcgis.gis._impl._dataclasses._contentds")
    missing = [member.value for member in contentds.ItemTypeEnum if canonical(member.value) is None]
    assert missing == []
    found = canonical("Microsoft Powerpoint")
    assert found is not None and found.type == contentds.ItemTypeEnum.MICROSOFT_POWERPOINT.value


def test_an_extension_index_keeps_only_single_owners() -> None:
    # Called directly as well: the module builds its own index at import, out of mutmut's sight.
    table = parse_table(
        json.dumps([GOOD, {**GOOD, "type": "Other", "extensions": ["thg", "oth"]}, {**GOOD, "type": "Third"}])
    )
    index = item_types._by_extension(table)
    assert {ext: t.type for ext, t in index.items()} == {"oth": "Other"}
