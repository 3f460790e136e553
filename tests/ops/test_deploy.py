"""The Kubernetes manifests (deploy/kubernetes): rendered by `kubectl kustomize`, checked for what a cluster relies on.

Nothing here talks to a cluster: the kustomization is rendered offline and
each object is checked against a schema of the fields the deployment relies
on (probes, ports, the scenarios ConfigMap and its mount, the scrape
annotations), and the ConfigMap's scenarios are loaded as a ConfigMap volume
lays them out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from mockllm.cli import SERVE_FLAGS
from mockllm.scenarios.loading import load_catalog

REPO = Path(__file__).resolve().parents[2]
KUSTOMIZATION = REPO / "deploy" / "kubernetes"

NAMED = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"}}}
PROBE = {
    "type": "object",
    "required": ["httpGet"],
    "properties": {"httpGet": {"type": "object", "required": ["path", "port"], "properties": {"path": {"const": "/_mock/health"}, "port": {"const": "http"}}}},
}
CONTAINER = {
    "type": "object",
    "required": ["name", "image", "ports", "readinessProbe", "livenessProbe", "volumeMounts"],
    "properties": {
        "ports": {"type": "array", "items": {"type": "object", "required": ["name", "containerPort"], "properties": {"containerPort": {"type": "integer"}}}},
        "readinessProbe": PROBE,
        "livenessProbe": PROBE,
        "args": {"type": "array", "items": {"type": "string"}},
        "env": {"type": "array", "items": {"type": "object", "required": ["name", "value"], "properties": {"value": {"type": "string"}}}},
    },
}
SCHEMAS: dict[str, dict[str, Any]] = {
    "ConfigMap": {"type": "object", "required": ["data"], "properties": {"data": {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}}}},
    "Service": {
        "type": "object",
        "required": ["spec"],
        "properties": {"spec": {"type": "object", "required": ["selector", "ports"], "properties": {"selector": {"type": "object", "minProperties": 1}}}},
    },
    "Deployment": {
        "type": "object",
        "required": ["spec"],
        "properties": {
            "apiVersion": {"const": "apps/v1"},
            "spec": {
                "type": "object",
                "required": ["selector", "template"],
                "properties": {
                    "template": {
                        "type": "object",
                        "required": ["metadata", "spec"],
                        "properties": {
                            "metadata": {"type": "object", "required": ["labels", "annotations"]},
                            "spec": {"type": "object", "required": ["containers", "volumes"], "properties": {"containers": {"type": "array", "minItems": 1, "items": CONTAINER}}},
                        },
                    }
                },
            },
        },
    },
}
OBJECT = {"type": "object", "required": ["apiVersion", "kind", "metadata"], "properties": {"metadata": NAMED, "kind": {"enum": list(SCHEMAS)}}}


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (for `kubectl kustomize`) is not installed")
    out = subprocess.run([kubectl, "kustomize", str(KUSTOMIZATION)], capture_output=True, text=True, check=True, timeout=60).stdout
    objects = {}
    for doc in yaml.safe_load_all(out):
        jsonschema.validate(doc, OBJECT)
        jsonschema.validate(doc, SCHEMAS[doc["kind"]])
        objects[doc["kind"]] = doc
    assert set(objects) == set(SCHEMAS)
    return objects


def test_probes_and_service_reach_the_container_port(rendered):
    pod = rendered["Deployment"]["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    args = container["args"]
    assert ports["http"] == int(args[args.index("--port") + 1])
    assert args[args.index("--host") + 1] == "0.0.0.0"
    assert all(flag in SERVE_FLAGS for flag in args if flag.startswith("--"))
    service = rendered["Service"]["spec"]
    assert service["ports"][0]["targetPort"] == "http"
    assert service["selector"].items() <= pod["metadata"]["labels"].items()
    assert rendered["Deployment"]["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()


def test_pods_carry_the_metrics_scrape_annotations(rendered):
    pod = rendered["Deployment"]["spec"]["template"]
    annotations = pod["metadata"]["annotations"]
    (container,) = pod["spec"]["containers"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/_mock/metrics"
    assert int(annotations["prometheus.io/port"]) == container["ports"][0]["containerPort"]


def test_the_scenarios_come_from_the_generated_configmap_mounted_where_the_server_reads(rendered, tmp_path: Path):
    configmap = rendered["ConfigMap"]
    pod = rendered["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    volume = next(v for v in pod["volumes"] if v.get("configMap", {}).get("name") == configmap["metadata"]["name"])
    mount = next(m for m in container["volumeMounts"] if m["name"] == volume["name"])
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["MOCKLLM_SCENARIOS"] == mount["mountPath"]
    catalog = load_catalog(configmap_volume(tmp_path, configmap["data"]))
    assert "default" in catalog.names and len(catalog.names) == len(configmap["data"])


def configmap_volume(folder: Path, data: dict[str, str]) -> Path:
    """Lay files out as a ConfigMap volume does: `..DATE/NAME`, `..data` → it, and `NAME` → `..data/NAME`."""
    stamped = folder / "..2026_01_01_00_00_00.000000000"
    stamped.mkdir()
    for name, text in data.items():
        (stamped / name).write_text(text, encoding="utf-8")
    os.symlink(stamped.name, folder / "..data")
    for name in data:
        os.symlink(f"..data/{name}", folder / name)
    return folder
