// Builds the JSON schemas kubeconform validates against, offline, from sources fetched at install
// time (tools/install.sh schemas). Three sources, two layouts (the same as kubeconform's own
// schema repositories, so one -schema-location template serves each):
//
//   kubernetes/<kind><kindSuffix>.json       from k8s.io/kubernetes' api/openapi-spec/swagger.json
//   <group>/<kind>_<version>.json            from CRD YAML files (Flux) and `eksctl utils schema`
//
//   node tools/schemas/build-schemas.mjs OUT_DIR SWAGGER_JSON EKSCTL_SCHEMA_JSON CRD_YAML...
//
// Every file is standalone: kubeconform loads one file per kind and resolves no references
// across files, and inlined schemas also give it precise error paths (a $ref in the way makes it
// report "validation failed" at the parent instead of the offending field).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';

const [outDir, swaggerFile, eksctlFile, ...crdFiles] = process.argv.slice(2);
if (!outDir || !swaggerFile || !eksctlFile || !crdFiles.length) {
  process.stderr.write('usage: build-schemas.mjs OUT_DIR SWAGGER_JSON EKSCTL_SCHEMA_JSON CRD_YAML...\n');
  process.exit(2);
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const mapValues = (object, fn) => Object.fromEntries(Object.entries(object).map(([key, value]) => [key, fn(value, key)]));
const written = new Map();
function write(path, schema, source) {
  // Two sources for one path would silently shadow each other in kubeconform.
  if (written.has(path)) throw new Error(`${path} comes from both ${written.get(path)} and ${source}`);
  written.set(path, source);
  mkdirSync(dirname(join(outDir, path)), { recursive: true });
  writeFileSync(join(outDir, path), JSON.stringify(schema));
}

/**
 * A converter for one family of schemas. It inlines `#/definitions/<name>` references; a
 * reference back into its own ancestors (JSONSchemaProps contains JSONSchemaProps) becomes {},
 * which accepts anything, because inlined JSON schema cannot recurse. `rewrite` then adjusts each
 * schema object bottom-up. Descriptions are dropped: kubeconform never shows them and inlining
 * copies them hundreds of times (they would be most of the bytes).
 */
function inliner(definitions, rewrite = (schema) => schema, replaced = {}) {
  const memo = new Map();
  const ancestors = [];
  let cuts = 0;

  function resolve(ref) {
    const name = ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined;
    if (name === undefined || !(name in definitions)) throw new Error(`unresolvable $ref ${ref}`);
    if (name in replaced) return replaced[name];
    if (ancestors.includes(name)) {
      cuts++;
      return {};
    }
    if (memo.has(name)) return memo.get(name);
    const before = cuts;
    ancestors.push(name);
    const schema = walk(definitions[name]);
    ancestors.pop();
    // Only a result that cut no cycle is the same wherever it appears; share it (fast, smaller heap).
    if (cuts === before) memo.set(name, schema);
    return schema;
  }

  function walk(schema) {
    if (typeof schema !== 'object' || schema === null) return schema; // `true`/`false` schemas
    // Siblings of $ref are ignored by JSON schema drafts 4-7, so the target replaces the whole node.
    if (typeof schema.$ref === 'string') return resolve(schema.$ref);
    const out = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'description' || key === 'x-intellij-html-description') continue;
      if (key === 'properties' || key === 'patternProperties') out[key] = mapValues(value, (property) => walk(property));
      else if (key === 'items') out[key] = Array.isArray(value) ? value.map(walk) : walk(value);
      else if (key === 'additionalProperties' || key === 'not') out[key] = walk(value);
      else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') out[key] = value.map(walk);
      else out[key] = value;
    }
    return rewrite(out);
  }

  return { walk, resolve };
}

/** The schema, also accepting null (types and enums both have to say so). */
function withNull(schema) {
  if (typeof schema !== 'object') return schema;
  const out = { ...schema };
  if (typeof out.type === 'string') out.type = [out.type, 'null'];
  else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

/**
 * What makes a schema strict, as the API server judges objects: unknown fields are rejected
 * (additionalProperties: false unless the schema says otherwise, or keeps unknown fields on
 * purpose), while an optional field may be null, which the API server reads as "unset" (and
 * `kubectl create --dry-run -o yaml` writes `creationTimestamp: null`).
 */
function strict(schema) {
  if (schema.nullable === true) schema = withNull(schema); // OpenAPI v3's spelling, unknown to JSON schema
  if (!schema.properties) return schema;
  const required = new Set(schema.required ?? []);
  const properties = mapValues(schema.properties, (property, name) => (required.has(name) ? property : withNull(property)));
  const open = 'additionalProperties' in schema || schema['x-kubernetes-preserve-unknown-fields'] === true;
  return { ...schema, properties, ...(open ? {} : { additionalProperties: false }) };
}

/** kubeconform's {{ .KindSuffix }}: `-<first label of the group>-<version>`, or `-<version>` for the core group. */
function kindSuffix(apiVersion) {
  const parts = apiVersion.split('/');
  const suffix = `-${parts[0].split('.')[0].toLowerCase()}`;
  return parts.length > 1 ? `${suffix}-${parts[1].toLowerCase()}` : suffix;
}

// Kubernetes: one file per group/version/kind the swagger declares.
const swagger = readJson(swaggerFile);
const k8s = inliner(swagger.definitions, strict, {
  // The swagger says `type: string` for both; clients send numbers too, and the API server takes them.
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: ['integer', 'string'] },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: ['string', 'number'] },
});
let kubernetesCount = 0;
for (const [name, definition] of Object.entries(swagger.definitions)) {
  for (const { group, version, kind } of definition['x-kubernetes-group-version-kind'] ?? []) {
    const apiVersion = group ? `${group}/${version}` : version;
    write(`kubernetes/${kind.toLowerCase()}${kindSuffix(apiVersion)}.json`, k8s.resolve(`#/definitions/${name}`), name);
    kubernetesCount++;
  }
}

// CRDs: one file per served version. A CRD's own schema leaves metadata as a bare object; the API
// server validates it as ObjectMeta, so use that (it is what catches a numeric annotation).
const objectMeta = k8s.resolve('#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
const crd = inliner({}, strict);
let crdCount = 0;
for (const file of crdFiles) {
  for (const doc of yaml.loadAll(readFileSync(file, 'utf8'))) {
    if (doc?.kind !== 'CustomResourceDefinition') continue;
    const { group, names, versions } = doc.spec;
    for (const { name: version, served, schema } of versions) {
      if (!served || !schema?.openAPIV3Schema) continue;
      const root = crd.walk(schema.openAPIV3Schema);
      root.properties = { ...root.properties, metadata: withNull(objectMeta) };
      write(`${group}/${names.kind.toLowerCase()}_${version}.json`, root, file);
      crdCount++;
    }
  }
}

// eksctl: already a JSON schema with its own definitions and its own additionalProperties
// choices (IdentityProvider is open on purpose: its fields come through oneOf), so it is only
// inlined, with the draft it declares.
const eksctl = readJson(eksctlFile);
const clusterConfig = inliner(eksctl.definitions).walk(eksctl);
const [eksctlApiVersion] = clusterConfig.properties.apiVersion.enum;
const [eksctlKind] = clusterConfig.properties.kind.enum;
const [eksctlGroup, eksctlVersion] = eksctlApiVersion.split('/');
write(`${eksctlGroup}/${eksctlKind.toLowerCase()}_${eksctlVersion}.json`, { $schema: eksctl.$schema, ...clusterConfig }, eksctlFile);

process.stderr.write(`schemas: ${kubernetesCount} Kubernetes, ${crdCount} CRD, 1 eksctl (${eksctlApiVersion}) in ${outDir}\n`);
