"""The scanner's advisory database: the shipped OSV sample, range evaluation, names, severity, loading."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from scanner.osv import AdvisoryDatabase, normalize_name
from scanner.severity import cvss3_base_score, severity_of
from scanner_support import SCANNER_HOME

SAMPLE = SCANNER_HOME / "scanner" / "advisories"

SHIPPED = {
    "GHSA-j8r2-6x86-q33q": "CVE-2023-32681",  # requests
    "GHSA-9wx4-h78v-vm56": "CVE-2024-35195",  # requests
    "GHSA-v845-jxx5-vc9f": "CVE-2023-43804",  # urllib3
    "GHSA-g4mx-q9vg-27p4": "CVE-2023-45803",  # urllib3
    "GHSA-34jh-p97f-mpxf": "CVE-2024-37891",  # urllib3
    "GHSA-h5c8-rqwp-cp95": "CVE-2024-22195",  # jinja2
    "GHSA-xg9f-g7g7-2323": "CVE-2023-25577",  # Werkzeug
    "GHSA-3ww4-gg4f-jr7f": "CVE-2023-50782",  # cryptography
    "GHSA-8q59-q68h-6hv4": "CVE-2020-14343",  # PyYAML
    "GHSA-jh3w-4vvf-mjgr": "CVE-2023-36053",  # Django
}


@pytest.fixture(scope="module")
def sample() -> AdvisoryDatabase:
    return AdvisoryDatabase.load(SAMPLE)


def found(db: AdvisoryDatabase, package: str, version: str) -> dict[str, str | None]:
    """{advisory id: fixed version} of what affects ``package`` at ``version``."""
    return {m.advisory.id: m.fixed_version for m in db.matches(package, version)}


def record(affected: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"id": extra.pop("id", "OSV-TEST-1"), "affected": affected, **extra}


def pypi(name: str, *ranges: list[dict[str, str]], versions: list[str] | None = None,
         kind: str = "ECOSYSTEM") -> dict[str, Any]:
    entry: dict[str, Any] = {"package": {"ecosystem": "PyPI", "name": name},
                             "ranges": [{"type": kind, "events": events} for events in ranges]}
    if versions is not None:
        entry["versions"] = versions
    return entry


def one(*records: dict[str, Any]) -> AdvisoryDatabase:
    db = AdvisoryDatabase()
    for r in records:
        db.add(r)
    return db


def test_the_shipped_sample_loads_whole(sample):
    assert sample.errors == []
    assert sample.ids == set(SHIPPED)
    assert sorted(sample.by_package) == ["cryptography", "django", "jinja2", "pyyaml", "requests", "urllib3",
                                         "werkzeug"]
    for path in SAMPLE.glob("*.json"):
        data = json.loads(path.read_text())
        assert path.stem == data["id"]
        assert data["aliases"] == [SHIPPED[data["id"]]]
        assert data["schema_version"] == "1.4.0"
        assert data["database_specific"]["severity"] in ("LOW", "MODERATE", "HIGH", "CRITICAL")


def test_requests_proxy_authorization_leak(sample):
    # GHSA-j8r2-6x86-q33q: introduced 2.3.0, fixed 2.31.0. GHSA-9wx4-h78v-vm56: introduced 0, fixed 2.32.2.
    assert found(sample, "requests", "2.30.0") == {"GHSA-j8r2-6x86-q33q": "2.31.0", "GHSA-9wx4-h78v-vm56": "2.32.2"}
    assert found(sample, "requests", "2.3.0") == {"GHSA-j8r2-6x86-q33q": "2.31.0", "GHSA-9wx4-h78v-vm56": "2.32.2"}
    assert found(sample, "requests", "2.2.1") == {"GHSA-9wx4-h78v-vm56": "2.32.2"}
    assert found(sample, "requests", "2.31.0") == {"GHSA-9wx4-h78v-vm56": "2.32.2"}
    assert found(sample, "requests", "2.32.2") == {}
    [worst, _] = sample.matches("requests", "2.30.0")
    assert (worst.advisory.cve, worst.advisory.severity.rating, worst.advisory.severity.score) == \
        ("CVE-2023-32681", "MODERATE", 6.1)


def test_introduced_zero_affects_every_earlier_version(sample):
    assert found(sample, "PyYAML", "5.3.1") == {"GHSA-8q59-q68h-6hv4": "5.4"}
    assert found(sample, "PyYAML", "3.10") == {"GHSA-8q59-q68h-6hv4": "5.4"}
    assert found(sample, "PyYAML", "5.4b2") == {"GHSA-8q59-q68h-6hv4": "5.4"}  # a pre-release of the fix
    assert found(sample, "PyYAML", "5.4") == {}
    assert found(sample, "PyYAML", "6.0.1") == {}


def test_several_affected_entries_each_with_its_own_fix(sample):
    # Django CVE-2023-36053: 3.2.0–3.2.20, 4.0.0–4.1.10, 4.2.0–4.2.3.
    assert found(sample, "Django", "3.1.14") == {}
    assert found(sample, "Django", "3.2") == {"GHSA-jh3w-4vvf-mjgr": "3.2.20"}
    assert found(sample, "Django", "3.2.19") == {"GHSA-jh3w-4vvf-mjgr": "3.2.20"}
    assert found(sample, "Django", "3.2.20") == {}
    assert found(sample, "Django", "4.0") == {"GHSA-jh3w-4vvf-mjgr": "4.1.10"}
    assert found(sample, "Django", "4.1.10") == {}
    assert found(sample, "Django", "4.2.0") == {"GHSA-jh3w-4vvf-mjgr": "4.2.3"}
    assert found(sample, "Django", "4.2.3") == {}
    # urllib3: a 1.x and a 2.x line, each fixed separately.
    assert found(sample, "urllib3", "1.26.16") == {"GHSA-v845-jxx5-vc9f": "1.26.17", "GHSA-g4mx-q9vg-27p4": "1.26.18",
                                                   "GHSA-34jh-p97f-mpxf": "1.26.19"}
    assert found(sample, "urllib3", "1.26.18") == {"GHSA-34jh-p97f-mpxf": "1.26.19"}
    assert found(sample, "urllib3", "2.0.6") == {"GHSA-g4mx-q9vg-27p4": "2.0.7", "GHSA-34jh-p97f-mpxf": "2.2.2"}
    assert found(sample, "urllib3", "2.0.7") == {"GHSA-34jh-p97f-mpxf": "2.2.2"}
    assert found(sample, "urllib3", "2.2.2") == {}


def test_names_are_compared_after_pep_503_normalisation(sample):
    assert normalize_name("PyYAML") == normalize_name("pyyaml") == "pyyaml"
    assert normalize_name("Py_YAML") == normalize_name("py.yaml") == normalize_name("py--yaml") == "py-yaml"
    for spelling in ("PyYAML", "pyyaml", "PYYAML"):
        assert found(sample, spelling, "5.3") == {"GHSA-8q59-q68h-6hv4": "5.4"}
    assert found(sample, "py-yaml", "5.3") == {}  # another project
    # The advisory spells the package "jinja2"; requirements usually say "Jinja2".
    assert found(sample, "Jinja2", "3.1.2") == {"GHSA-h5c8-rqwp-cp95": "3.1.3"}
    db = one(record([pypi("zope.interface", [{"introduced": "0"}, {"fixed": "5.0"}])]))
    for spelling in ("zope.interface", "Zope-Interface", "zope_interface", "zope__interface"):
        assert found(db, spelling, "4.7") == {"OSV-TEST-1": "5.0"}
    # The name as the requirements file wrote it is kept for the report.
    assert [m.package for m in sample.matches("PyYAML", "5.3")] == ["PyYAML"]


def test_last_affected_includes_that_version_and_names_no_fix():
    db = one(record([pypi("pkg", [{"introduced": "1.0"}, {"last_affected": "1.4"}])]))
    assert found(db, "pkg", "0.9") == {}
    assert found(db, "pkg", "1.0") == {"OSV-TEST-1": None}
    assert found(db, "pkg", "1.4") == {"OSV-TEST-1": None}
    assert found(db, "pkg", "1.4.0") == {"OSV-TEST-1": None}
    assert found(db, "pkg", "1.4.1") == {}
    assert found(db, "pkg", "2.0") == {}


def test_multiple_ranges_and_unsorted_events():
    db = one(record([pypi("pkg", [{"introduced": "1.0"}, {"fixed": "1.2"}], [{"introduced": "2.0"}, {"fixed": "2.1"}])]))
    assert found(db, "pkg", "0.5") == {}
    assert found(db, "pkg", "1.1.9") == {"OSV-TEST-1": "1.2"}
    assert found(db, "pkg", "1.5") == {}
    assert found(db, "pkg", "2.0.5") == {"OSV-TEST-1": "2.1"}
    assert found(db, "pkg", "2.1") == {}
    # One range with two introduced/fixed pairs, listed out of order: evaluation sorts them.
    db = one(record([pypi("pkg", [{"introduced": "2.0"}, {"fixed": "2.1"}, {"introduced": "0"}, {"fixed": "1.2"}])]))
    assert found(db, "pkg", "1.0") == {"OSV-TEST-1": "1.2"}
    assert found(db, "pkg", "1.5") == {}
    assert found(db, "pkg", "2.0") == {"OSV-TEST-1": "2.1"}
    assert found(db, "pkg", "3.0") == {}


def test_limit_bounds_a_range_without_a_fix():
    db = one(record([pypi("pkg", [{"introduced": "0"}, {"limit": "2.0"}])]))
    assert found(db, "pkg", "1.9") == {"OSV-TEST-1": None}
    assert found(db, "pkg", "2.0") == {}
    assert found(db, "pkg", "2.5") == {}


def test_pep_440_order_not_text_order():
    db = one(record([pypi("pkg", [{"introduced": "0"}, {"fixed": "1.10"}])]))
    assert found(db, "pkg", "1.9") == {"OSV-TEST-1": "1.10"}  # as text "1.9" > "1.10"
    assert found(db, "pkg", "1.10rc1") == {"OSV-TEST-1": "1.10"}
    assert found(db, "pkg", "1.10.post1") == {}
    assert found(db, "pkg", "1!0.1") == {}  # a later epoch


def test_explicit_versions_list():
    db = one(record([pypi("pkg", versions=["1.0", "1.1"])]))
    assert found(db, "pkg", "1.1") == {"OSV-TEST-1": None}
    assert found(db, "pkg", "1.0.0") == {"OSV-TEST-1": None}  # PEP 440: 1.0.0 == 1.0
    assert found(db, "pkg", "1.2") == {}
    assert found(db, "pkg", "0.9") == {}


def test_semver_ranges():
    db = one(record([pypi("pkg", [{"introduced": "0"}, {"fixed": "1.0.0-beta.11"}], kind="SEMVER")]))
    assert found(db, "pkg", "1.0.0-beta.2") == {"OSV-TEST-1": "1.0.0-beta.11"}  # 2 < 11 numerically
    assert found(db, "pkg", "1.0.0-beta.11") == {}
    assert found(db, "pkg", "1.0.0-rc.1") == {}
    assert found(db, "pkg", "0.9.9") == {"OSV-TEST-1": "1.0.0-beta.11"}
    # A PyPI version that is not SemVer is ordered as PEP 440.
    assert found(db, "pkg", "0.9") == {"OSV-TEST-1": "1.0.0-beta.11"}


def test_what_is_not_loaded():
    db = one(
        record([pypi("pkg", [{"introduced": "0"}])], id="WITHDRAWN-1", withdrawn="2024-01-01T00:00:00Z"),
        record([{"package": {"ecosystem": "npm", "name": "pkg"},
                 "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}], id="NPM-1"),
        record([{"package": {"ecosystem": "PyPI", "name": "pkg"},
                 "ranges": [{"type": "GIT", "repo": "https://example.com/pkg.git", "events": [{"introduced": "0"}]}]}],
               id="GIT-1"),
    )
    assert len(db) == 0
    assert found(db, "pkg", "1.0") == {}


def test_cve_id_comes_from_the_aliases_else_the_osv_id():
    db = one(record([pypi("a", [{"introduced": "0"}])], id="PYSEC-2099-1", aliases=["GHSA-aaaa-bbbb-cccc", "CVE-2099-1"]),
             record([pypi("b", [{"introduced": "0"}])], id="PYSEC-2099-2", aliases=["GHSA-dddd-eeee-ffff"]),
             record([pypi("c", [{"introduced": "0"}])], id="CVE-2099-3"))
    assert db.matches("a", "1")[0].advisory.cve == "CVE-2099-1"
    assert db.matches("b", "1")[0].advisory.cve == "PYSEC-2099-2"
    assert db.matches("c", "1")[0].advisory.cve == "CVE-2099-3"


def test_cvss_v3_base_scores_and_ratings():
    assert cvss3_base_score("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N") == 6.1  # CVE-2023-32681
    assert cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == 9.8
    assert cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H") == 7.5
    assert cvss3_base_score("CVSS:3.1/AV:A/AC:H/PR:H/UI:N/S:U/C:H/I:N/A:N") == 4.2  # CVE-2023-45803
    assert cvss3_base_score("CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:N/A:N") == 4.4  # CVE-2024-37891
    assert cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H") == 10.0
    assert cvss3_base_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N") == 0.0
    with pytest.raises(ValueError):
        cvss3_base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N")
    vector = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}]
    # The published rating wins; without one, the score's band; without either, UNKNOWN.
    assert severity_of({"severity": vector, "database_specific": {"severity": "moderate"}}).rating == "MODERATE"
    assert severity_of({"severity": vector}).rating == "HIGH"
    assert severity_of({"severity": [{"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:P/I:P/A:P"}]}).rating == "UNKNOWN"


def test_most_severe_first():
    db = one(record([pypi("pkg", [{"introduced": "0"}])], id="LOW-1", database_specific={"severity": "LOW"}),
             record([pypi("pkg", [{"introduced": "0"}])], id="CRIT-1", database_specific={"severity": "CRITICAL"}),
             record([pypi("pkg", [{"introduced": "0"}])], id="NONE-1"))
    assert [m.advisory.id for m in db.matches("pkg", "1.0")] == ["CRIT-1", "LOW-1", "NONE-1"]


def _export(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(SAMPLE.glob("*.json"))]


def test_loads_a_zip_export_a_directory_tree_and_a_list_file(tmp_path):
    records = _export(tmp_path)
    archive = tmp_path / "all.zip"  # the shape of osv.dev's PyPI/all.zip: one JSON per record
    with zipfile.ZipFile(archive, "w") as z:
        for r in records:
            z.writestr(f"{r['id']}.json", json.dumps(r))
        z.writestr("README.txt", "not an advisory")
    tree = tmp_path / "tree"
    for r in records:
        target = tree / r["affected"][0]["package"]["name"] / f"{r['id']}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(r))
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps(records))
    for path in (archive, tree, listing):
        db = AdvisoryDatabase.load(path)
        assert db.ids == set(SHIPPED), path
        assert found(db, "requests", "2.30.0") == {"GHSA-j8r2-6x86-q33q": "2.31.0", "GHSA-9wx4-h78v-vm56": "2.32.2"}


def test_a_broken_record_is_reported_and_the_rest_load(tmp_path):
    (tmp_path / "good.json").write_text((SAMPLE / "GHSA-8q59-q68h-6hv4.json").read_text())
    (tmp_path / "truncated.json").write_text('{"id": "X", "affected": [')
    (tmp_path / "not-osv.json").write_text('["just", "strings"]')
    db = AdvisoryDatabase.load(tmp_path)
    assert db.ids == {"GHSA-8q59-q68h-6hv4"}
    assert sorted(Path(where).name for where, _ in db.errors) == ["not-osv.json", "truncated.json"]
    with pytest.raises(FileNotFoundError):
        AdvisoryDatabase.load(tmp_path / "missing")
