// Validates rendered Kubernetes manifests offline: every object must be a
// kind this validator knows (kubernetes-models, the API's OpenAPI schemas)
// and pass its schema, plus Kaizen's own rules that a schema cannot state.
//
//   node deploy/k8s/validate.mjs rendered.yaml...
//
// Prints one line per object and "N passed, M failed"; exits 1 on any failure.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../tools/package.json", import.meta.url));
const YAML = require("yaml");

// apiVersion -> module of kubernetes-models
function modelFor(apiVersion, kind) {
  const mod = apiVersion.includes("/") ? apiVersion : `v1`;
  try {
    return require(`kubernetes-models/${mod}`)[kind];
  } catch {
    return undefined;
  }
}

// Kaizen's rules for every pod template (docs/operations.md): non-root,
// read-only root, no escalation, no capabilities, RuntimeDefault seccomp,
// requests and limits, native gRPC probes on long-running containers, and on
// services liveness/startup probes that ask kaizen.liveness.
// serviceTier: a Kaizen service (pod label kaizen.dev/tier: service), whose
// overall health follows its storage (common/server/readiness.h).
function checkPod(where, spec, longRunning, errors, serviceTier = false) {
  const psc = spec.securityContext ?? {};
  if (psc.runAsNonRoot !== true) errors.push(`${where}: securityContext.runAsNonRoot must be true`);
  if (psc.seccompProfile?.type !== "RuntimeDefault") errors.push(`${where}: seccompProfile must be RuntimeDefault`);
  for (const c of spec.containers ?? []) {
    const at = `${where} container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.readOnlyRootFilesystem !== true) errors.push(`${at}: readOnlyRootFilesystem must be true`);
    if (sc.allowPrivilegeEscalation !== false) errors.push(`${at}: allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) errors.push(`${at}: capabilities must drop ALL`);
    for (const k of ["requests", "limits"]) {
      if (!c.resources?.[k]?.cpu || !c.resources?.[k]?.memory) errors.push(`${at}: resources.${k} needs cpu and memory`);
    }
    if (longRunning) {
      for (const p of ["livenessProbe", "readinessProbe"]) {
        if (!c[p]?.grpc?.port) errors.push(`${at}: ${p} must be a native gRPC probe`);
      }
      // Services (GrpcServer) flip "" on storage faults: liveness and startup
      // must ask kaizen.liveness, or a storage fault restarts the pod and
      // closes the last handle to a deleted database. Readiness must ask "".
      if (serviceTier) {
        for (const p of ["livenessProbe", "startupProbe"]) {
          if (c[p]?.grpc?.service !== "kaizen.liveness") {
            errors.push(`${at}: ${p} must ask the liveness service (grpc.service: kaizen.liveness)`);
          }
        }
        if (c.readinessProbe?.grpc?.service) errors.push(`${at}: readinessProbe must ask "" (no grpc.service)`);
      }
    }
  }
}

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      console.log(`FAIL ${file}: YAML: ${doc.errors[0].message}`);
      failed++;
      continue;
    }
    const obj = doc.toJS();
    if (obj === null) continue;
    // kustomize wraps long base64 values over lines; the API server's decoder
    // (Go's encoding/base64) skips newlines, the schema's "byte" format does
    // not: compare what the server would decode.
    if (obj.kind === "Secret" && obj.data) {
      for (const k of Object.keys(obj.data)) obj.data[k] = String(obj.data[k]).replace(/\s+/g, "");
    }
    const name = `${obj.kind}/${obj.metadata?.name} (${file})`;
    const errors = [];
    const Model = modelFor(obj.apiVersion ?? "", obj.kind ?? "");
    if (!Model) {
      errors.push(`unknown apiVersion/kind ${obj.apiVersion}/${obj.kind}`);
    } else {
      try {
        new Model(obj).validate();
      } catch (e) {
        errors.push(e.message.split("\n").slice(0, 6).join(" | "));
      }
    }
    // Set in each file, not by kustomize (deploy/k8s/base/kustomization.yaml).
    if (obj.metadata?.labels?.["app.kubernetes.io/part-of"] !== "kaizen") {
      errors.push("metadata.labels must have app.kubernetes.io/part-of: kaizen");
    }
    if (["Deployment", "StatefulSet"].includes(obj.kind)) {
      const tier = obj.spec?.template?.metadata?.labels?.["kaizen.dev/tier"];
      checkPod("pod template", obj.spec?.template?.spec ?? {}, true, errors, tier === "service");
    } else if (obj.kind === "CronJob") {
      checkPod("pod template", obj.spec?.jobTemplate?.spec?.template?.spec ?? {}, false, errors);
    }
    if (errors.length) {
      failed++;
      for (const e of errors) console.log(`FAIL ${name}: ${e}`);
    } else {
      passed++;
      console.log(`ok   ${name}`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
