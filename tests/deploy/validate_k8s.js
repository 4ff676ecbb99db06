// Validates Kubernetes manifests (multi-document YAML on stdin, as
// `kubectl kustomize` prints them) against the Kubernetes OpenAPI schemas
// compiled into the npm package kubernetes-models (and its
// prometheus-operator sibling for ServiceMonitor). Prints one line per
// object; exits 1 if any object is invalid or of a kind it does not know.
"use strict";
const fs = require("fs");
const yaml = require("js-yaml");

const kinds = {
  "apps/v1/StatefulSet": () => require("kubernetes-models/apps/v1/StatefulSet").StatefulSet,
  "v1/Service": () => require("kubernetes-models/v1/Service").Service,
  "v1/ConfigMap": () => require("kubernetes-models/v1/ConfigMap").ConfigMap,
  "v1/Secret": () => require("kubernetes-models/v1/Secret").Secret,
  "policy/v1/PodDisruptionBudget": () =>
    require("kubernetes-models/policy/v1/PodDisruptionBudget").PodDisruptionBudget,
  "monitoring.coreos.com/v1/ServiceMonitor": () =>
    require("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor").ServiceMonitor,
};

const docs = yaml.loadAll(fs.readFileSync(0, "utf8")).filter((d) => d != null);
let failed = 0;
if (docs.length === 0) {
  console.log("no objects on stdin");
  failed++;
}
for (const doc of docs) {
  const id = `${doc.apiVersion}/${doc.kind}`;
  const name = `${id} ${doc.metadata && doc.metadata.name}`;
  const model = kinds[id];
  if (!model) {
    console.log(`UNKNOWN ${name}: no schema here; add it to validate_k8s.js`);
    failed++;
    continue;
  }
  try {
    const Model = model();
    new Model(doc).validate();
    console.log(`valid   ${name}`);
  } catch (e) {
    console.log(`INVALID ${name}: ${e.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
