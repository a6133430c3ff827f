// Turns a rendered overlay (kubectl kustomize) into what `podman kube play`
// 4.3 runs, keeping everything else as rendered:
//
//   kubectl kustomize deploy/k8s/overlays/dev | node deploy/k8s/play.mjs HTTP_PORT > play.yaml
//
// podman 4.3 runs Pods, Deployments, ConfigMaps, Secrets and
// PersistentVolumeClaims, and silently skips other kinds. So:
// - each StatefulSet becomes a Pod of the same name (podman's DNS resolves
//   pod names, so "enrollment:50051" works as the Service name does in a
//   cluster) with its claim data-<name>-0 as a PersistentVolumeClaim (a podman
//   volume), as a StatefulSet would name it;
// - Services, NetworkPolicies, the HPA, the PDB, CronJobs and the backup
//   claims are dropped (no cluster network, no autoscaler, no scheduler);
// - native gRPC probes become exec probes running kaizen_health_probe (the
//   same Health/Check call);
// - Secrets become ConfigMaps of the same name and secret volumes configMap
//   volumes (podman 4.3 crashes on secret volumes: nil pointer in
//   kube.VolumeFromSource); same files, same mode, dev placeholders only;
// - the gateway runs one replica, its HTTP port published on
//   127.0.0.1:HTTP_PORT (two replicas cannot share a host port; there is no
//   Service to balance between them);
// - containerPorts are dropped but that one: podman 4.3 publishes every
//   containerPort on the host (0.0.0.0), so metrics ports clashed and the
//   services' ports would be open outside; pods reach each other by pod
//   name on the network either way.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../tools/package.json", import.meta.url));
const YAML = require("yaml");

const httpPort = Number(process.argv[2]);
if (!Number.isInteger(httpPort) || httpPort < 1 || httpPort > 65535) {
  console.error("usage: play.mjs HTTP_PORT < rendered.yaml > play.yaml");
  process.exit(2);
}
const input = YAML.parseAllDocuments(readFileSync(0, "utf8")).map((d) => d.toJS()).filter(Boolean);

const KEEP = new Set(["ConfigMap", "Deployment"]);
const out = [];

function secretsAsConfigMaps(podSpec) {
  for (const v of podSpec.volumes ?? []) {
    if (!v.secret) continue;
    const { secretName, ...rest } = v.secret;
    v.configMap = { name: secretName, ...rest };
    delete v.secret;
  }
}

function unpublish(container) {
  container.ports = (container.ports ?? []).filter((p) => p.hostPort);
  if (container.ports.length === 0) delete container.ports;
}

function execProbes(container) {
  for (const p of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    const probe = container[p];
    if (!probe?.grpc) continue;
    const { port, service } = probe.grpc;
    delete probe.grpc;
    const command = ["/usr/local/bin/kaizen_health_probe", `--addr=127.0.0.1:${port}`];
    // The grpc probe's service (kaizen.liveness for liveness) must survive the
    // conversion, else liveness would check readiness ("").
    if (service) command.push(`--service=${service}`);
    probe.exec = { command };
  }
}

for (const obj of input) {
  if (obj.kind === "StatefulSet") {
    const name = obj.metadata.name;
    const spec = structuredClone(obj.spec.template.spec);
    for (const t of obj.spec.volumeClaimTemplates ?? []) {
      const claim = `${t.metadata.name}-${name}-0`;
      out.push({
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: claim, namespace: obj.metadata.namespace, labels: t.metadata.labels },
        spec: t.spec,
      });
      spec.volumes = [...(spec.volumes ?? []), { name: t.metadata.name, persistentVolumeClaim: { claimName: claim } }];
    }
    spec.containers.forEach(execProbes);
    spec.containers.forEach(unpublish);
    secretsAsConfigMaps(spec);
    out.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: obj.metadata.namespace, labels: obj.spec.template.metadata.labels },
      spec,
    });
  } else if (obj.kind === "Secret") {
    const data = {};
    for (const [k, v] of Object.entries(obj.data ?? {})) data[k] = Buffer.from(String(v).replace(/\s+/g, ""), "base64").toString("utf8");
    for (const [k, v] of Object.entries(obj.stringData ?? {})) data[k] = v;
    out.push({ apiVersion: "v1", kind: "ConfigMap", metadata: obj.metadata, data });
  } else if (KEEP.has(obj.kind)) {
    const o = structuredClone(obj);
    if (o.kind === "Deployment") {
      o.spec.template.spec.containers.forEach(execProbes);
      secretsAsConfigMaps(o.spec.template.spec);
      if (o.metadata.name === "gateway") {
        o.spec.replicas = 1;
        const http = o.spec.template.spec.containers[0].ports.find((p) => p.name === "http");
        Object.assign(http, { hostIP: "127.0.0.1", hostPort: httpPort });
      }
      o.spec.template.spec.containers.forEach(unpublish);
    }
    out.push(o);
  }
}
process.stdout.write(out.map((o) => YAML.stringify(o)).join("---\n"));
