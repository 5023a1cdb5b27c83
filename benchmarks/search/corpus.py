"""The synthetic corpus: users, groups, items and group shares, generated deterministically.

Words follow a Zipf-like law (the k-th most frequent word is drawn with weight 1/k), so a few
theme words are common and most are rare, as in a real portal.  A title is
"<Place> <theme> [<theme>] [<year>] <type word>", for example "Lisbon Flood Zones 2019 Map".
Everything is drawn from one seeded generator, so a run at N items always builds the same corpus
and the query words' match counts are reproducible.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ORG = "0123456789ABCDEF"  # the default organization the server's first start creates
USERS = 1_000
GROUPS = 10_000
JOINER = 1  # member_0001 belongs to exactly JOINED groups
JOINED = 50
YEAR_MS = 365 * 24 * 3600 * 1000
EPOCH_2012 = 1_325_376_000_000
YEARS = 14  # created spread over 2012 .. 2025

# (name, lon, lat): the places titles and extents are drawn from.
PLACES = (
    ("Lisbon", -9.14, 38.72), ("Madrid", -3.70, 40.42), ("Paris", 2.35, 48.86), ("Berlin", 13.40, 52.52),
    ("Vienna", 16.37, 48.21), ("Rome", 12.50, 41.90), ("Oslo", 10.75, 59.91), ("Dublin", -6.26, 53.35),
    ("Warsaw", 21.01, 52.23), ("Athens", 23.73, 37.98), ("Prague", 14.42, 50.08), ("Zurich", 8.54, 47.37),
    ("Denver", -104.99, 39.74), ("Seattle", -122.33, 47.61), ("Boston", -71.06, 42.36), ("Austin", -97.74, 30.27),
    ("Chicago", -87.63, 41.88), ("Portland", -122.68, 45.52), ("Phoenix", -112.07, 33.45),
    ("Toronto", -79.38, 43.65), ("Vancouver", -123.12, 49.28), ("Montreal", -73.57, 45.50),
    ("Mexico", -99.13, 19.43), ("Lima", -77.04, -12.05), ("Santiago", -70.67, -33.45), ("Bogota", -74.07, 4.71),
    ("Nairobi", 36.82, -1.29), ("Lagos", 3.38, 6.52), ("Cairo", 31.24, 30.04), ("Accra", -0.19, 5.60),
    ("Mumbai", 72.88, 19.08), ("Delhi", 77.21, 28.61), ("Tokyo", 139.69, 35.69), ("Seoul", 126.98, 37.57),
    ("Jakarta", 106.85, -6.21), ("Manila", 120.98, 14.60), ("Sydney", 151.21, -33.87),
    ("Melbourne", 144.96, -37.81), ("Auckland", 174.76, -36.85), ("Perth", 115.86, -31.95),
    ("Redlands", -117.18, 34.06), ("Springfield", -89.65, 39.78), ("Riverside", -117.40, 33.95),
    ("Fairview", -87.0, 35.0), ("Greenville", -82.39, 34.85), ("Franklin", -86.87, 35.93),
    ("Bristol", -2.59, 51.45), ("Leeds", -1.55, 53.80), ("Glasgow", -4.25, 55.86), ("Cardiff", -3.18, 51.48),
)
# Theme words, most frequent first (Zipf weights by rank).
THEMES = (
    "water", "roads", "parcels", "population", "land", "use", "zoning", "flood", "boundaries", "buildings",
    "census", "transit", "parks", "elevation", "imagery", "trees", "schools", "hydrology", "wetlands", "soils",
    "traffic", "crime", "health", "fire", "stations", "utilities", "sewer", "storm", "drainage", "bike",
    "lanes", "trails", "addresses", "streets", "bridges", "rail", "airports", "ports", "coastline", "erosion",
    "habitat", "species", "wildlife", "forest", "vegetation", "climate", "temperature", "precipitation",
    "drought", "wildfire", "earthquake", "hazards", "evacuation", "shelters", "hospitals", "libraries",
    "voting", "precincts", "districts", "neighborhoods", "housing", "permits", "inspections", "assets",
    "pavement", "signals", "lighting", "hydrants", "valves", "pipes", "mains", "meters", "outages",
    "broadband", "cell", "towers", "energy", "solar", "wind", "pipelines", "mining", "geology", "faults",
    "groundwater", "aquifers", "rivers", "lakes", "watersheds", "basins", "bathymetry", "contours",
    "lidar", "orthophoto", "basemap", "landmarks", "tourism", "heritage", "archaeology", "cemeteries",
    "agriculture", "crops", "irrigation", "livestock", "fisheries", "noise", "air", "quality", "emissions",
    "waste", "recycling", "snow", "plows", "routes", "ambulance", "police", "incidents", "collisions",
    "sidewalks", "curbs", "parking", "zones", "overlay", "easements", "survey", "benchmarks", "monuments",
    "tax", "assessment", "sales", "vacancy", "income", "poverty", "employment", "businesses", "retail",
    "demographics", "age", "language", "migration", "commute", "accessibility", "equity", "resilience",
    "restoration", "invasive", "mangroves", "coral", "glaciers", "permafrost", "tundra", "dunes", "karst",
)
TYPE_WORDS = ("Map", "Layer", "Data", "Viewer", "Dashboard", "Survey", "Inventory", "Analysis", "Story", "App")
CULTURES = (("en-us", 60), ("de-de", 8), ("fr-fr", 8), ("es-es", 8), ("ja-jp", 5), ("pt-br", 5), ("it-it", 3),
            ("nl-nl", 3))
# access (stored column) and its share of the corpus; "shared" items have group shares only.
ACCESS = (("public", 40), ("org", 30), ("shared", 10), ("private", 20))
# the types and their frequencies: common portal types weigh more than exotic ones
COMMON_TYPES = {"Feature Service": 30, "Web Map": 20, "Map Service": 8, "Web Mapping Application": 8,
                "Dashboard": 4, "StoryMap": 4, "CSV": 4, "Shapefile": 3, "Image Service": 3, "Vector Tile Service": 3,
                "File Geodatabase": 2, "PDF": 2, "Scene Service": 2, "Web Scene": 2, "Form": 2, "Microsoft Excel": 2,
                "GeoJson": 2, "KML": 1, "Hub Site Application": 1, "Web Experience": 1}


def item_types() -> list[dict[str, Any]]:
    root = Path(__file__).resolve().parents[2] / "src" / "geoshare" / "domain" / "item_types.json"
    data: list[dict[str, Any]] = json.loads(root.read_text())
    return data


def zipf_weights(n: int, s: float = 1.0, shift: float = 0.0) -> list[float]:
    return [1.0 / ((k + 1 + shift) ** s) for k in range(n)]


def user_id(i: int) -> str:
    return f"{i + 1:032x}"


def username(i: int) -> str:
    return f"member_{i:04}"


def group_id(i: int) -> str:
    return f"{0x6000 + i:032x}"


@dataclass(frozen=True)
class Corpus:
    """What the queries need to know of the generated corpus."""

    items: int
    joiner_groups: tuple[int, ...]  # group indexes member_0001 belongs to
    busy_group: int  # a group of JOINER's with many shared items (the `group:` query)
    seed: int = 11


def joiner_groups() -> tuple[int, ...]:
    """50 groups spread over popularity ranks: a few popular groups, mostly ordinary ones."""
    return tuple(range(3, GROUPS, GROUPS // JOINED))[:JOINED]


def describe(items: int) -> Corpus:
    groups = joiner_groups()
    return Corpus(items=items, joiner_groups=groups, busy_group=groups[1])


# ------------------------------------------------------------------------------------------- users

def user_rows(password_hash: str, now: int) -> list[dict[str, Any]]:
    """1,000 members of the default organization (member_0000 .. member_0999), one in ten a publisher."""
    return [{"id": user_id(i), "org_id": ORG, "username": username(i), "password_hash": password_hash,
             "full_name": f"Member {i}", "first_name": "Member", "last_name": str(i),
             "email": f"member{i}@example.org", "description": None, "tags": [],
             "role": "org_publisher" if i % 10 == 0 else "org_user", "user_license_type_id": "creatorUT",
             "access": "org", "provider": "arcgis", "disabled": False, "last_login": -1,
             "created": now, "modified": now, "culture": "en", "units": "metric"} for i in range(USERS)]


def group_rows(rng: random.Random, now: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """10,000 groups (a third each private, org, public) and their members: the owner, member_0001 in
    50 of them, and every other member in ~10 groups."""
    groups, members = [], []
    seen: set[tuple[int, int]] = set()
    for g in range(GROUPS):
        owner = 10 + g % (USERS - 10)
        theme = THEMES[g % len(THEMES)]
        groups.append({"id": group_id(g), "org_id": ORG, "owner_id": user_id(owner),
                       "title": f"{PLACES[g % len(PLACES)][0]} {theme} group {g}", "description": None,
                       "snippet": None, "tags": [theme], "access": ("private", "org", "public")[g % 3],
                       "created": now, "modified": now})
        members.append({"group_id": group_id(g), "user_id": user_id(owner), "member_type": "owner", "joined": now})
        seen.add((g, owner))
    for g in joiner_groups():
        members.append({"group_id": group_id(g), "user_id": user_id(JOINER), "member_type": "member", "joined": now})
        seen.add((g, JOINER))
    for u in range(USERS):
        if u == JOINER:
            continue
        for g in rng.sample(range(GROUPS), 10):
            if (g, u) not in seen:
                seen.add((g, u))
                members.append({"group_id": group_id(g), "user_id": user_id(u), "member_type": "member",
                                "joined": now})
    return groups, members


# ------------------------------------------------------------------------------------------- items

class ItemGenerator:
    """Draws item rows (as dicts of column values) and their group shares."""

    def __init__(self, seed: int = 11) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
        types = {t["type"]: t for t in item_types()}
        self.types = [name for name in COMMON_TYPES if name in types] + \
            [name for name in types if name not in COMMON_TYPES]
        self.type_weights = [COMMON_TYPES.get(name, 0.05) for name in self.types]
        self.type_keywords = {name: list(types[name].get("keywords", [])) for name in self.types}
        # Titles draw their theme words steeply (the top word is in ~1 title of 6), descriptions and
        # snippets more evenly, so no word is in nearly every item.
        self.theme_cum = _cumulative(zipf_weights(len(THEMES), shift=2))
        self.prose_cum = _cumulative(zipf_weights(len(THEMES), shift=10))
        self.place_cum = _cumulative(zipf_weights(len(PLACES), 0.8))
        self.owner_cum = _cumulative(zipf_weights(USERS, 0.7))
        self.group_cum = _cumulative(zipf_weights(GROUPS, 0.9, shift=20))

    def themes(self, k: int, prose: bool = False) -> list[str]:
        return [THEMES[i] for i in _draw(self.rng, self.prose_cum if prose else self.theme_cum, k)]

    def shares(self, access: str) -> list[int]:
        """Group indexes an item is shared with: every `shared` item has 1-3, a third of the others 1-2."""
        rng = self.rng
        if access == "private":
            return []
        if access == "shared":
            count = rng.choice((1, 1, 2, 3))
        else:
            count = rng.choice((0, 0, 0, 0, 1, 2))
        return sorted(set(_draw(rng, self.group_cum, count))) if count else []

    def row(self, i: int) -> tuple[dict[str, Any], list[int]]:
        rng = self.rng
        place, lon, lat = PLACES[_draw(rng, self.place_cum, 1)[0]]
        item_type = rng.choices(self.types, self.type_weights)[0]
        theme = self.themes(rng.choice((1, 2, 2, 3)))
        words = [place, *(w.title() for w in theme)]
        if rng.random() < 0.4:
            words.append(str(2012 + rng.randrange(YEARS)))
        words.append(rng.choice(TYPE_WORDS))
        title = " ".join(words)
        access = rng.choices([a for a, _ in ACCESS], [w for _, w in ACCESS])[0]
        created = EPOCH_2012 + rng.randrange(YEARS * YEAR_MS)
        owner = _draw(rng, self.owner_cum, 1)[0]
        extent = _extent(rng, lon, lat)
        ratings = rng.choice((0, 0, 0, 1, 2, 5))
        row = {
            "id": f"{rng.getrandbits(128):032x}", "org_id": ORG, "owner_id": user_id(owner), "folder_id": None,
            "title": title, "title_key": title.lower(), "type": item_type,
            "type_keywords": json.dumps(self.type_keywords[item_type][:6]),
            "description": f"{' '.join(self.themes(4, prose=True))} for {place}, updated {rng.choice(('daily', 'monthly', 'yearly'))}.",
            "snippet": f"{theme[0].title()} {' '.join(self.themes(2, prose=True))} of {place}",
            "tags": json.dumps(sorted({place.lower(), *theme, *self.themes(2, prose=True)})),
            "culture": rng.choices([c for c, _ in CULTURES], [w for _, w in CULTURES])[0],
            "extent_xmin": extent[0], "extent_ymin": extent[1], "extent_xmax": extent[2], "extent_ymax": extent[3],
            "shared_public": access == "public", "shared_org": access == "org", "access": access,
            "num_views": int(rng.paretovariate(1.2) * 10), "num_ratings": ratings,
            "avg_rating": round(rng.uniform(2, 5), 1) if ratings else 0.0, "num_comments": rng.choice((0, 0, 0, 1, 3)),
            "created": created, "modified": created + rng.randrange(2 * YEAR_MS),
        }
        shares = self.shares(access)
        if access == "shared" and not shares:
            shares = [0]
        return row, shares

    def rows(self, count: int) -> Iterator[tuple[dict[str, Any], list[int]]]:
        for i in range(count):
            yield self.row(i)


def _extent(rng: random.Random, lon: float, lat: float) -> tuple[float | None, ...]:
    """Most items cover a few km to a few hundred km around their place; one in eight has no extent."""
    if rng.random() < 0.125:
        return (None, None, None, None)
    half = rng.choice((0.02, 0.1, 0.5, 2.0))
    x, y = lon + rng.uniform(-1, 1), lat + rng.uniform(-1, 1)
    return (round(max(-180.0, x - half), 4), round(max(-90.0, y - half), 4),
            round(min(180.0, x + half), 4), round(min(90.0, y + half), 4))


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _draw(rng: random.Random, cum: list[float], k: int) -> list[int]:
    import bisect

    top = cum[-1]
    return [bisect.bisect_right(cum, rng.random() * top) for _ in range(k)]
