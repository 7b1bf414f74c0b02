import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlFile, type YamlDocument } from '../yaml/source.js';
import { clusterName, type Environment } from '../config/environments.js';
import {
  CLUSTER_CONFIG_FILE,
  CLUSTER_ENVIRONMENTS_FILE,
  environmentValuesProblems,
  renderForEnvironment,
} from '../infra/cluster-environments.js';
import { CLUSTER_ENVIRONMENTS, type ClusterEnvironment } from '../infra/cluster-config.js';
import { InputError, UsageError } from '../ui/errors.js';

/** infra/cluster.yaml as one environment gets it, with the lines of the files it came from. */
export interface ClusterSource {
  env: ClusterEnvironment;
  name: string;
  region: string;
  /** The ClusterConfig eksctl gets: environment values merged, name and region filled in. */
  config: Record<string, unknown>;
  /** infra/cluster.yaml, parsed, for pointing at lines. */
  document: YamlDocument;
}

/**
 * The cluster commands work on EKS clusters; development is the local twin, which has none. A
 * usage error, said in the command's own words.
 */
export function eksEnvironment(env: Environment, command: string): ClusterEnvironment {
  if ((CLUSTER_ENVIRONMENTS as readonly string[]).includes(env)) return env as ClusterEnvironment;
  throw new UsageError(`${command} works on the EKS clusters of ${CLUSTER_ENVIRONMENTS.join(' and ')}; ${env} is the local twin, which has no EKS cluster`, {
    hint: `pass --env ${CLUSTER_ENVIRONMENTS.join(' or --env ')}; the local twin is started with \`biomage dev up\``,
  });
}

/**
 * Read infra/cluster.yaml and infra/cluster-environments.yaml from `root` and render the
 * ClusterConfig for `env`. Anything unusable is an InputError naming file and line: nothing has
 * been asked of AWS yet.
 */
export function loadClusterSource(root: string, env: ClusterEnvironment, region: string): ClusterSource {
  const config = readYaml(root, CLUSTER_CONFIG_FILE, true);
  if (!config) throw new Error(`internal: readYaml of the required ${CLUSTER_CONFIG_FILE} returned nothing`);
  const values = readYaml(root, CLUSTER_ENVIRONMENTS_FILE, false);
  // Without the environment file every environment gets cluster.yaml as it is.
  const problems = values ? environmentValuesProblems(values.value, config.value) : [];
  const first = problems[0];
  if (first) {
    const doc = first.file === CLUSTER_CONFIG_FILE ? config : values;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}: \`biomage check infra\` lists them)` : '';
    throw new InputError(`${first.file}: ${first.message}${more}`, {
      where: `${first.file}:${doc?.lineOf(first.path) ?? 1}`,
      hint: 'fix the value there; each environment may set only its node groups\' instanceType, volumeSize and node counts',
    });
  }
  const rendered = renderForEnvironment(config.value, values?.value, env, region);
  unmanagedNodeGroups(rendered, config);
  return { env, name: clusterName(env), region, config: rendered, document: config };
}

function readYaml(root: string, file: string, required: boolean): YamlDocument | undefined {
  const path = join(root, file);
  if (!existsSync(path)) {
    if (!required) return undefined;
    throw new InputError(`${file} does not exist`, { where: path, hint: 'run biomage from a clone of the infrastructure repository' });
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { where: path, hint: 'check the file is readable' });
  }
  const parsed = parseYamlFile(text);
  const error = parsed.errors[0];
  if (error) {
    throw new InputError(`${file} is not valid YAML: ${error.message.replace(/ at line \d+, column \d+:?$/, '')}`, {
      where: `${file}:${error.line}:${error.column}`,
      hint: 'fix the YAML at that line (indentation, an unclosed bracket or quote)',
    });
  }
  const [doc, second] = parsed.documents;
  if (!doc || typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value)) {
    throw new InputError(`${file} is not a YAML mapping`, { where: `${file}:1`, hint: required ? 'it must hold one eksctl ClusterConfig' : 'it must map environments to their settings' });
  }
  if (second) throw new InputError(`${file} holds more than one YAML document`, { where: `${file}:${second.line}`, hint: 'keep one document' });
  return doc;
}

/**
 * Unmanaged node groups are refused: EKS does not describe them (no DescribeNodegroup), so the
 * guard could not tell a change to one from no change.
 */
function unmanagedNodeGroups(config: Record<string, unknown>, doc: YamlDocument): void {
  const list = config.nodeGroups;
  if (!Array.isArray(list) || !list.length) return;
  const name = (list[0] as { name?: unknown }).name;
  throw new InputError(`${CLUSTER_CONFIG_FILE} declares unmanaged nodeGroups (${String(name)}); biomage deploys managed node groups only`, {
    where: `${CLUSTER_CONFIG_FILE}:${doc.lineOf(['nodeGroups', 0])}`,
    hint: 'declare it under managedNodeGroups (with a new name): EKS describes managed groups, which is how deploy-infra checks them before changing anything',
  });
}

/**
 * Validate the rendered ClusterConfig against eksctl's own JSON schema (`eksctl utils schema`,
 * installed offline with the other schemas), as `biomage check` does. A violation is an InputError
 * at the line of infra/cluster.yaml it comes from.
 */
export async function checkClusterSchema(source: ClusterSource, processEnv: NodeJS.ProcessEnv): Promise<void> {
  const { validateManifests } = await import('../tools/kubeconform.js');
  const results = await validateManifests({ stdin: JSON.stringify(source.config) }, { env: processEnv });
  const failures = results.filter((r) => r.status === 'invalid' || r.status === 'error');
  if (!failures.length) return;
  const problems = failures.flatMap((r) => (r.validationErrors?.length ? r.validationErrors : [{ path: '', msg: r.msg }]));
  const [first] = problems;
  const path: (string | number)[] = (first?.path ?? '').split('/').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replaceAll('~1', '/').replaceAll('~0', '~')));
  // An unknown field is reported at its parent; point at the field itself.
  const unknown = /additional properties '([^']+)' not allowed/.exec(first?.msg ?? '');
  const unknownField = unknown?.[1];
  const line = source.document.lineOf(unknownField === undefined ? path : [...path, unknownField]);
  const field = path.join('.');
  throw new InputError(
    `the ClusterConfig for ${source.env} does not match eksctl's schema: ${field ? `${field}: ` : ''}${first?.msg ?? 'invalid'}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    {
      where: `${CLUSTER_CONFIG_FILE}:${line}`,
      hint: 'fix the field as eksctl\'s ClusterConfig schema requires (`biomage check infra` lists every problem); nothing was changed',
    },
  );
}
