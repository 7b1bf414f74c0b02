import type { Environment } from '../config/environments.js';
import type { Finding, RuleDefinition } from './finding.js';
import type { YamlFile } from '../yaml/source.js';

/** A file under check, by its path relative to the repository root. */
export interface SourceFile {
  file: string;
  text: string;
}

/** A YAML file that parsed without syntax errors (those are findings of their own). */
export interface YamlSource extends SourceFile {
  yaml: YamlFile;
}

/** A Helm chart: a folder with a Chart.yaml. */
export interface ChartSource {
  /** `charts/nodejs`, `infra/charts/read-only-group`. */
  dir: string;
  name: string;
}

/** Everything `biomage check` looks at, read once. */
export interface Repository {
  root: string;
  /** cf/*.yaml and infra/cf-*.yaml, parsed with CloudFormation's short forms. */
  templates: YamlSource[];
  /** cf/parameters.yaml: template parameter values per environment (scalars as written). */
  parameters?: YamlSource;
  /** infra/cluster.yaml: the eksctl ClusterConfig. */
  clusterConfig?: YamlSource;
  /** infra/cluster-environments.yaml: what differs per environment (node group sizes and counts). */
  clusterEnvironments?: YamlSource;
  /** infra/cluster_admins and infra/cluster_users: one IAM user or role per line. */
  accessLists: SourceFile[];
  charts: ChartSource[];
  /** releases/<env>/*.yaml: Flux HelmReleases written by CI. */
  releases: YamlSource[];
  /** .ci.yaml or .ci.yml: the CI user's IAM policies. */
  ciConfig?: YamlSource;
  workflows: SourceFile[];
}

/** One Kubernetes object out of `helm template`, traced back to the chart file it came from. */
export interface RenderedManifest {
  value: Record<string, unknown>;
  /** The chart file that produced it: `charts/nodejs/templates/deployment.yaml`. */
  template: string;
  /** What was rendered: the chart with its defaults (`charts/nodejs`) or a release file. */
  origin: string;
  /** The release's environment (from releases/<env>/); absent for a chart's defaults. */
  environment?: Environment;
  /** The namespace the objects are rendered into. */
  namespace: string;
}

export interface CheckContext {
  repo: Repository;
  rendered: RenderedManifest[];
  /** A file as it was at the base revision (`--base`); undefined when it did not exist there. */
  readAtBase(file: string): Promise<string | undefined>;
  /** The base revision, as named to the operator. */
  baseName: string;
}

/** A group of repository rules: their definitions and the function that applies them. */
export interface RuleModule {
  rules: readonly RuleDefinition[];
  check(ctx: CheckContext): Finding[] | Promise<Finding[]>;
}
