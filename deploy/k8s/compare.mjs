// Compares two renders of the same overlay (e.g. by Debian 12's kubectl 1.20,
// kustomize v2.0.3, and by a newer kubectl, kustomize v5):
//
//   node deploy/k8s/compare.mjs a.yaml b.yaml
//   node deploy/k8s/compare.mjs a.yaml          # only the first check
//
// Each render is first checked on its own: every generated ConfigMap/Secret
// (name ending in kustomize's 10-character hash) is referenced only by its
// full, current name, never by its bare name or another hash. Then the
// objects are compared after sorting them by kind/namespace/name and setting
// the hash suffixes aside (the two kustomize versions hash differently).
// Prints the differences and exits 1 if there are any; 0 and a summary line
// when the objects are the same.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../tools/package.json", import.meta.url));
const YAML = require("yaml");

const HASHED = /^(.+)-([a-z0-9]{10})$/;

function load(file) {
  const objs = YAML.parseAllDocuments(readFileSync(file, "utf8")).map((d) => {
    if (d.errors.length) throw new Error(`${file}: YAML: ${d.errors[0].message}`);
    return d.toJS();
  }).filter(Boolean);
  if (objs.length === 0) throw new Error(`${file}: no objects`);
  return objs;
}

function walk(v, path, fn) {
  if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`, fn));
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = walk(v[k], `${path}.${k}`, fn);
    return o;
  }
  return typeof v === "string" ? fn(v, path) : v;
}

// Checks the references of one render and returns its objects with the hash
// suffixes of generated names replaced by "<hash>", keys sorted, sorted by id.
function normalise(file, errors) {
  const objs = load(file);
  const generated = new Map();  // bare name -> full name
  for (const o of objs) {
    const m = ["ConfigMap", "Secret"].includes(o.kind) && HASHED.exec(o.metadata?.name ?? "");
    if (m) generated.set(m[1], o.metadata.name);
  }
  const out = objs.map((o) => {
    const name = o.metadata?.name ?? "";
    const id = `${o.kind}/${o.metadata?.namespace ?? ""}/${name}`;
    // kustomize v2 leaves "annotations: {}" on merged generators; the API
    // server reads an empty map as none.
    for (const k of ["labels", "annotations"]) {
      if (o.metadata?.[k] && Object.keys(o.metadata[k]).length === 0) delete o.metadata[k];
    }
    // Kustomize may fold long base64 values: compare what the API decodes.
    if (o.kind === "Secret" && o.data) {
      for (const k of Object.keys(o.data)) o.data[k] = String(o.data[k]).replace(/\s+/g, "");
    }
    const norm = walk(o, "", (s, path) => {
      if (generated.has(s) && !path.startsWith(".data.")) {
        errors.push(`${file}: ${id} ${path}: "${s}" refers to a generated object without its hash (${generated.get(s)})`);
      }
      const m = HASHED.exec(s);
      if (m && generated.has(m[1])) {
        if (generated.get(m[1]) !== s) {
          errors.push(`${file}: ${id} ${path}: "${s}" is not the generated name ${generated.get(m[1])}`);
        }
        return `${m[1]}-<hash>`;
      }
      return s;
    });
    return { id: `${o.kind}/${o.metadata?.namespace ?? ""}/${norm.metadata?.name ?? name}`, norm };
  });
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = new Set();
  for (const { id } of out) {
    if (ids.has(id)) errors.push(`${file}: ${id} appears twice`);
    ids.add(id);
  }
  return { out, generated };
}

function diff(a, b, path, lines) {
  if (lines.length > 40) return;
  const ta = Array.isArray(a) ? "array" : typeof a;
  const tb = Array.isArray(b) ? "array" : typeof b;
  if (ta !== tb || ta !== "object" && ta !== "array") {
    if (JSON.stringify(a) !== JSON.stringify(b)) lines.push(`  ${path || "."}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
    return;
  }
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  for (const k of keys) diff(a?.[k], b?.[k], ta === "array" ? `${path}[${k}]` : `${path}.${k}`, lines);
}

const [fa, fb] = process.argv.slice(2);
if (!fa || process.argv.length > 4) {
  console.error("usage: compare.mjs a.yaml [b.yaml]");
  process.exit(2);
}
const errors = [];
const A = normalise(fa, errors);
if (!fb) {
  for (const e of errors) console.log(e);
  if (errors.length) process.exit(1);
  console.log(`${fa}: ${A.out.length} objects; references to ${[...A.generated.values()].join(", ") || "no generated objects"} are consistent`);
  process.exit(0);
}
const B = normalise(fb, errors);
const byId = (r) => new Map(r.out.map((x) => [x.id, x.norm]));
const ma = byId(A);
const mb = byId(B);
for (const id of ma.keys()) if (!mb.has(id)) errors.push(`only in ${fa}: ${id}`);
for (const id of mb.keys()) if (!ma.has(id)) errors.push(`only in ${fb}: ${id}`);
for (const [id, a] of ma) {
  if (!mb.has(id)) continue;
  const lines = [];
  diff(a, mb.get(id), "", lines);
  if (lines.length) errors.push(`${id} differs (${fa} != ${fb}):\n${lines.join("\n")}`);
}
const hashes = [...A.generated.keys()].map((n) => {
  const same = A.generated.get(n) === B.generated.get(n);
  return `${n}: ${same ? "same hash" : `${A.generated.get(n)} vs ${B.generated.get(n)}`}`;
});
if (errors.length) {
  for (const e of errors) console.log(e);
  process.exit(1);
}
console.log(`same ${ma.size} objects (generated names: ${hashes.join("; ") || "none"})`);
