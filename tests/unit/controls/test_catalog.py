"""Catalog integrity, the golden control list of every profile, and profile scoping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from provisioner.controls import CONTROLS, DEFINITIONS, controls_for, evaluate, get_control
from provisioner.controls._catalog import (
    CatalogError,
    FrameworkDocument,
    build_controls,
    load_frameworks,
    load_prose,
)
from provisioner.controls._types import Control
from provisioner.errors import BadInputError
from provisioner.findings import FRAMEWORKS, Status
from provisioner.inventory.models import KIND_FIELDS
from provisioner.profiles import PARAM_SPECS, ProfileCatalog, merge_profiles
from tests.unit.controls.stack import changed, compliant_inventory, parameters

PROVENANCE = {"prowler", "conformance-pack", "cdk-nag", "own"}

BASELINE = [
    "SQS-ENC-CMK",
    "SQS-TLS-ONLY",
    "SQS-DLQ",
    "SQS-RETENTION-MAX",
    "SQS-NO-PUBLIC",
    "SQS-SNS-SCOPED",
    "SNS-ENC-CMK",
    "SNS-TLS-ONLY",
    "SNS-NO-PUBLIC",
    "SNS-SUB-SECURE",
    "SNS-PUBLISHER-KMS",
    "KMS-ROTATION",
    "KMS-POLICY-NO-WILDCARD-PRINCIPAL",
    "KMS-IAM-NO-BROAD-ACTIONS",
    "KMS-DELETION-WINDOW",
    "TRAIL-MULTI-REGION",
    "TRAIL-LOG-VALIDATION",
    "TRAIL-KMS",
    "TRAIL-DATA-EVENTS-SQS",
    "TRAIL-DATA-EVENTS-SNS",
    "TRAIL-CWLOGS",
    "S3-AUDIT-BLOCK-PUBLIC",
    "S3-AUDIT-VERSIONING",
    "S3-AUDIT-OBJECT-LOCK",
    "S3-TLS-ONLY",
    "S3-AUDIT-SSE-KMS",
    "S3-AUDIT-LIFECYCLE",
    "LOGS-RETENTION",
    "LOGS-KMS",
    "ALARM-ACTIONS",
    "ALARM-QUEUE-HEALTH",
    "ALARM-TOPIC-HEALTH",
    "VPC-ENDPOINT-SQS",
    "VPC-ENDPOINT-SNS",
    "VPC-ENDPOINT-KMS",
    "VPC-ENDPOINT-LOGS",
    "VPC-ENDPOINT-OTHER",
    "SG-NO-OPEN-INGRESS",
    "VPC-FLOW-LOGS",
    "IAM-NO-WILDCARD-ACTION",
    "IAM-CONFUSED-DEPUTY",
    "CONFIG-RECORDER-ON",
    "CONFIG-RULES-DEPLOYED",
]


def _in_catalog_order(ids: list[str]) -> list[str]:
    order = [c.id for c in CONTROLS]
    return sorted(ids, key=order.index)


# The exact control list of each shipped profile. Changing what a profile checks is deliberate:
# update this list in the same change (cdk-nag pins its packs the same way).
GOLDEN = {
    "baseline": BASELINE,
    "pci": _in_catalog_order([*BASELINE, "S3-AUDIT-LOGGING", "ALARM-SECURITY-EVENTS"]),
    "hipaa": _in_catalog_order([*BASELINE, "S3-AUDIT-LOGGING", "ALARM-SECURITY-EVENTS"]),
    "gdpr": _in_catalog_order([*BASELINE, "KMS-SINGLE-REGION", "REGION-RESIDENCY"]),
    "fedramp": _in_catalog_order(
        [
            *BASELINE,
            "S3-AUDIT-LOGGING",
            "ALARM-SECURITY-EVENTS",
            "KMS-SINGLE-REGION",
            "REGION-RESIDENCY",
            "FIPS-ENDPOINTS",
        ]
    ),
}


@pytest.mark.parametrize("profile", sorted(GOLDEN))
def test_profile_applies_exactly_its_golden_controls(profile: str) -> None:
    loaded = ProfileCatalog().load(profile)
    assert [c.id for c in controls_for(loaded)] == GOLDEN[profile]


def test_every_shipped_profile_is_pinned() -> None:
    assert set(ProfileCatalog().names()) == set(GOLDEN)


def test_combined_profiles_apply_the_union() -> None:
    catalog = ProfileCatalog()
    merged = merge_profiles([catalog.load("gdpr"), catalog.load("pci")])
    ids = [c.id for c in controls_for(merged)]
    assert set(ids) == set(GOLDEN["gdpr"]) | set(GOLDEN["pci"])


def test_catalog_has_at_least_35_controls_with_unique_ids() -> None:
    ids = [c.id for c in CONTROLS]
    assert len(ids) >= 35
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)+", i) for i in ids)


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_control_is_well_formed(control: Control) -> None:
    assert not control.title.lower().startswith("ensure")
    assert control.title[0].isupper() and not control.title.endswith(".")
    assert control.description and control.remediation
    if control.kind is not None:
        assert control.kind in KIND_FIELDS
    known_parameters = {spec.path for spec in PARAM_SPECS}
    assert set(control.parameters) <= known_parameters
    for framework in FRAMEWORKS:
        mapped = bool(control.frameworks[framework])
        unmapped = framework in control.unmapped
        assert mapped != unmapped, f"{control.id}: {framework} must be mapped or unmapped"
    for mapping in control.mappings:
        assert mapping.provenance and set(mapping.provenance) <= PROVENANCE


def test_every_framework_has_a_mapping_file() -> None:
    assert set(load_frameworks()) == set(FRAMEWORKS)


def test_prose_exists_for_exactly_the_registered_controls() -> None:
    assert set(load_prose()) == {c.id for c in CONTROLS}


def test_a_mapping_to_an_unknown_control_is_refused() -> None:
    frameworks = dict(load_frameworks())
    frameworks["gdpr"] = FrameworkDocument.model_validate(
        {
            "framework": "gdpr",
            "title": "GDPR",
            "requirements": {"Art. 32": {"controls": {"SQS-ENCRYPTED-AT-REST": "own"}}},
        }
    )
    with pytest.raises(CatalogError, match="SQS-ENCRYPTED-AT-REST"):
        build_controls(DEFINITIONS, load_prose(), frameworks)


def test_a_mapping_without_provenance_is_refused() -> None:
    with pytest.raises(ValidationError, match="a blog post"):
        FrameworkDocument.model_validate(
            {
                "framework": "gdpr",
                "title": "GDPR",
                "requirements": {"Art. 32": {"controls": {"SNS-ENC-CMK": "a blog post"}}},
            }
        )


def test_a_control_without_prose_is_refused() -> None:
    prose = dict(load_prose())
    del prose["KMS-ROTATION"]
    with pytest.raises(CatalogError, match="no prose for KMS-ROTATION"):
        build_controls(DEFINITIONS, prose, load_frameworks())


def test_sns_encryption_keeps_prowler_provenance() -> None:
    control = get_control("SNS-ENC-CMK")
    pci = [m for m in control.mappings if m.framework == "pci-dss-4.0"]
    assert [(m.requirement, m.provenance) for m in pci] == [("3.5.1", ("prowler",))]


def test_unknown_control_in_a_profile_is_bad_input_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "custom.yaml").write_text(
        "name: custom\ntitle: Custom\nextends: baseline\ncontrols: [SQS-ENCRYPTED-AT-REST]\n"
    )
    profile = ProfileCatalog(user_dir=tmp_path).load("custom")
    with pytest.raises(BadInputError) as caught:
        controls_for(profile)
    assert str(tmp_path / "custom.yaml") in caught.value.message
    assert "SQS-ENCRYPTED-AT-REST" in caught.value.message


@pytest.mark.parametrize(
    "profiles",
    [("baseline",), ("pci",), ("hipaa",), ("gdpr",), ("fedramp",), ("gdpr", "pci")],
    ids="+".join,
)
def test_a_compliant_stack_passes_every_control_of_the_profile(
    profiles: tuple[str, ...],
) -> None:
    catalog = ProfileCatalog()
    profile = merge_profiles([catalog.load(name) for name in profiles])
    inventory = compliant_inventory(profile.parameters)
    findings = evaluate(controls_for(profile), inventory, profile.parameters)
    bad = [
        (f.control, f.resource, f.message)
        for f in findings
        if f.status not in (Status.PASS, Status.NOT_APPLICABLE)
    ]
    assert bad == []
    assert {f.control for f in findings} == set(profile.controls)


def test_nothing_fires_outside_the_profile() -> None:
    """A multi-Region key violates KMS-SINGLE-REGION, which GDPR applies and PCI does not."""
    catalog = ProfileCatalog()
    for name, expected in (("pci", set()), ("gdpr", {"KMS-SINGLE-REGION", "REGION-RESIDENCY"})):
        profile = catalog.load(name)
        inventory = changed(
            compliant_inventory(profile.parameters), "keys", "1111-2222", multi_region=True
        )
        findings = evaluate(controls_for(profile), inventory, profile.parameters)
        assert {f.control for f in findings if f.status is Status.FAIL} == expected, name


def test_parameters_switch_controls_off_rather_than_fail() -> None:
    """Non-FIPS endpoints fail FIPS-ENDPOINTS only where the profile asks for FIPS."""
    control = get_control("FIPS-ENDPOINTS")
    for name, expected in (("baseline", Status.NOT_APPLICABLE), ("fedramp", Status.FAIL)):
        params = parameters(name)
        inventory = compliant_inventory(parameters("baseline"))  # plain sqs/sns/kms endpoints
        [finding] = evaluate([control], inventory, params)
        assert finding.status is expected, name


def test_every_requirement_has_a_title_for_auditors() -> None:
    untitled = [
        f"{name} {requirement_id}"
        for name, document in load_frameworks().items()
        for requirement_id, requirement in document.requirements.items()
        if not requirement.title
    ]
    assert untitled == []
