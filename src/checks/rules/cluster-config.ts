import { CLUSTER_ENVIRONMENTS_FILE, ENVIRONMENT_NODE_GROUP_FIELDS, environmentValuesProblems } from '../../infra/cluster-environments.js';
import type { RuleModule, YamlSource } from '../context.js';
import type { Finding } from '../finding.js';

export const CLUSTER_CONFIG_KIND = 'ClusterConfig';
export const CLUSTER_CONFIG_API_VERSION = 'eksctl.io/v1alpha5';
/** Filled in per environment by the tool (`biomage-<env>`, the target region), never written in the file. */
export const FILLED_IN_FIELDS = ['name', 'region'] as const;

/**
 * infra/cluster.yaml is one ClusterConfig for every environment: the fields that differ per
 * environment come from the tool, so a copy with a hard-coded name cannot deploy staging's
 * settings onto production's cluster.
 */
export const clusterConfigRules: RuleModule = {
  rules: [
    {
      id: 'cluster-config-fields',
      rationale: 'one ClusterConfig serves every environment: eksctl needs kind and apiVersion, and a name or region written in the file would aim every environment at one cluster',
      fix: 'keep `apiVersion: eksctl.io/v1alpha5` and `kind: ClusterConfig`, and leave metadata.name and metadata.region out (biomage fills in biomage-<env> and the region)',
    },
    {
      id: 'cluster-environments',
      rationale:
        'infra/cluster-environments.yaml holds what differs between the clusters; a value for a node group cluster.yaml lacks, for an environment without a cluster, or for a field that must be the same everywhere would be ignored or make staging unlike production',
      fix: `keep one entry per environment (staging, production), each with managedNodeGroups.<a managed node group of infra/cluster.yaml>: ${ENVIRONMENT_NODE_GROUP_FIELDS.join(', ')}`,
    },
  ],
  check({ repo }) {
    const source = repo.clusterConfig;
    const findings: Finding[] = [...environmentFindings(repo.clusterEnvironments, source)];
    if (!source) return findings;
    const add = (line: number, message: string, fix?: string) =>
      findings.push({ file: source.file, line, rule: 'cluster-config-fields', message, ...(fix ? { fix } : {}) });
    const [doc, ...extra] = source.yaml.documents;
    for (const more of extra) add(more.line, 'infra/cluster.yaml holds more than one document; eksctl reads only the first');
    if (!doc) return findings;
    const value = doc.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      add(doc.line, 'infra/cluster.yaml is not a mapping (an eksctl ClusterConfig)');
      return findings;
    }
    const config = value as Record<string, unknown>;
    const expect = (field: 'kind' | 'apiVersion', wanted: string) => {
      if (config[field] === wanted) return;
      add(
        doc.lineOf([field]),
        config[field] === undefined ? `${field} is missing (expected ${wanted})` : `${field} is ${JSON.stringify(config[field])}, not ${wanted}`,
        `set \`${field}: ${wanted}\``,
      );
    };
    expect('apiVersion', CLUSTER_CONFIG_API_VERSION);
    expect('kind', CLUSTER_CONFIG_KIND);
    const metadata = config.metadata;
    if (typeof metadata === 'object' && metadata !== null) {
      for (const field of FILLED_IN_FIELDS) {
        if (!(field in metadata)) continue;
        add(
          doc.lineOf(['metadata', field]),
          `metadata.${field} is set (${JSON.stringify((metadata as Record<string, unknown>)[field])}), but biomage fills it in per environment`,
          `remove metadata.${field}: ${field === 'name' ? 'the cluster of an environment is always biomage-<env>' : 'the region comes from --region, AWS_REGION or the profile'}`,
        );
      }
    }
    return findings;
  },
};

/** The problems of infra/cluster-environments.yaml, each at its line (in that file or in cluster.yaml). */
function environmentFindings(values: YamlSource | undefined, config: YamlSource | undefined): Finding[] {
  if (!values) return [];
  const valuesDoc = values.yaml.documents[0];
  if (!config) {
    return [{ file: values.file, line: 1, rule: 'cluster-environments', message: `${CLUSTER_ENVIRONMENTS_FILE} has no infra/cluster.yaml to apply to` }];
  }
  const configDoc = config.yaml.documents[0];
  return environmentValuesProblems(valuesDoc?.value, configDoc?.value).map((problem) => ({
    file: problem.file,
    line: (problem.file === CLUSTER_ENVIRONMENTS_FILE ? valuesDoc : configDoc)?.lineOf(problem.path) ?? 1,
    rule: 'cluster-environments',
    message: problem.message,
  }));
}
