"""Malformed profile documents always end in one clean line and exit 2, never a traceback."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from provisioner.cli import app
from provisioner.profiles import PARAM_SPECS

VALID: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "profiles" / "pci.yaml").read_text(encoding="utf-8")
)
VALID["name"] = "fuzz"

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
# Values no scalar parameter accepts, even under pydantic's lax coercion.
containers = st.one_of(
    st.lists(scalars, min_size=1, max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=5), scalars, min_size=1, max_size=3),
)


def _param_paths() -> list[tuple[str, str]]:
    return [(spec.group, spec.name) for spec in PARAM_SPECS]


LIST_PARAMS = {("regions", "allowed"), ("network", "required_endpoints"), ("config", "rules")}


@st.composite
def malformed_documents(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(
            [
                "unknown_key",
                "wrong_type",
                "missing_provenance",
                "bad_basis",
                "out_of_range",
                "not_a_mapping",
                "broken_yaml",
                "bad_name",
            ]
        )
    )
    document = copy.deepcopy(VALID)
    group, name = draw(st.sampled_from(_param_paths()))
    param = {"value": 1, "source": "fuzz", "basis": "engineering"}
    document.setdefault("parameters", {}).setdefault(group, {})[name] = param
    junk_key = "zz_" + draw(st.text(alphabet="abcdefghij", min_size=1, max_size=6))

    if kind == "unknown_key":
        level = draw(st.sampled_from(["top", "parameters", "group", "param"]))
        target = {
            "top": document,
            "parameters": document["parameters"],
            "group": document["parameters"][group],
            "param": param,
        }[level]
        target[junk_key] = draw(scalars)
    elif kind == "wrong_type":
        if (group, name) in LIST_PARAMS:
            param["value"] = draw(
                st.one_of(st.integers(), st.dictionaries(st.text(max_size=3), scalars, min_size=1))
            )
        else:
            param["value"] = draw(containers)
    elif kind == "missing_provenance":
        del param[draw(st.sampled_from(["source", "basis", "value"]))]
    elif kind == "bad_basis":
        param["basis"] = draw(
            st.text(max_size=10).filter(lambda s: s.strip() not in {"regulatory", "engineering"})
        )
    elif kind == "out_of_range":
        if (group, name) in LIST_PARAMS:
            param["value"] = [draw(st.text(alphabet="XYZ!", min_size=1, max_size=8))]
        elif name in {
            "rotation_required",
            "dlq_required",
            "tls_only",
            "fips_endpoints",
            "flow_logs_required",
            "multi_region",
            "log_file_validation",
            "data_events_sqs",
            "data_events_sns",
            "recorder_required",
        }:
            param["value"] = draw(st.sampled_from(["maybe", "yes please", 7, [True]]))
        elif name == "object_lock_mode":
            param["value"] = draw(st.sampled_from(["LEGAL_HOLD", "compliance ", "", 3]))
        else:
            param["value"] = draw(
                st.one_of(st.integers(max_value=-1), st.integers(min_value=10**9))
            )
    elif kind == "not_a_mapping":
        return yaml.safe_dump(
            draw(
                st.one_of(
                    st.lists(scalars, max_size=4),
                    st.integers(),
                    st.text(min_size=1, max_size=10).map(lambda s: "- " + s),
                )
            )
        )
    elif kind == "broken_yaml":
        return (
            "name: fuzz\ntitle: "
            + draw(st.sampled_from(["[", "{", '"', "- : -", "*unknown"]))
            + draw(st.text(max_size=10))
            + "\n\t- ]"
        )
    elif kind == "bad_name":
        document["name"] = draw(st.sampled_from(["Fuzz", "fuzz-2", "", "9fuzz", "fuzz!"]))
    return yaml.safe_dump(document)


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(text=malformed_documents())
def test_malformed_profile_is_a_clean_exit_2(text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzz.yaml"
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(
            app, ["profiles", "show", "fuzz", "--profiles-dir", directory, "--output", "json"]
        )
    assert result.exit_code == 2, (text, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error: "), result.output
    assert "fuzz.yaml" in lines[0] or "fuzz" in lines[0]
    assert "Traceback" not in result.output
    assert len(lines) <= 2  # the error and, at most, its hint
