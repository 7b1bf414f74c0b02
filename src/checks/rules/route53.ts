import {
  branches,
  cfnModel,
  describe,
  evaluateString,
  importedExport,
  isLive,
  isRecord,
  items,
  perEnvironment,
  type Scope,
} from '../cfn-model.js';
import type { RuleModule } from '../context.js';
import type { Finding } from '../finding.js';
import type { YamlPath } from '../../yaml/source.js';

const LOAD_BALANCERS = new Set(['AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancing::LoadBalancer']);
const LB_ZONE_ATTRIBUTES = new Set(['CanonicalHostedZoneID', 'CanonicalHostedZoneNameID']);

/** Alias records: Route 53 rejects (or silently ignores) what these rules catch, at deploy time. */
export const route53Rules: RuleModule = {
  rules: [
    {
      id: 'route53-alias-type',
      rationale: 'an alias to a load balancer resolves to its addresses: only an A or AAAA record can hold it, Route 53 rejects the rest',
      fix: 'set `Type: A` (and add a twin record with `Type: AAAA` for IPv6)',
    },
    {
      id: 'route53-alias-ttl',
      rationale: "an alias record takes its target's TTL: Route 53 rejects a change set that gives it one",
      fix: 'remove TTL from the alias record',
    },
  ],
  check({ repo }) {
    const model = cfnModel(repo);
    return model.templates.flatMap((template) =>
      perEnvironment(template, (env) => {
        const scope = model.scope(template, env);
        const findings: Finding[] = [];
        for (const record of records(scope)) {
          const { props, path, label } = record;
          if (!('AliasTarget' in props)) continue;
          if ('TTL' in props) {
            findings.push({ file: template.file, line: template.lineOf([...path, 'TTL']), rule: 'route53-alias-ttl', message: `${label} is an alias and sets a TTL` });
          }
          const target = isRecord(props.AliasTarget) ? props.AliasTarget : {};
          const balancer = loadBalancer(target.DNSName, 'dns', scope) ?? loadBalancer(target.HostedZoneId, 'zone', scope);
          const type = evaluateString(props.Type, scope);
          if (balancer && type !== 'A' && type !== 'AAAA' && !type.includes('\u0000')) {
            findings.push({
              file: template.file,
              line: template.lineOf([...path, 'Type']),
              rule: 'route53-alias-type',
              message: `${label} aliases load balancer ${balancer} with Type ${type}`,
            });
          }
        }
        return findings;
      }),
    );
  },
};

interface RecordAt {
  props: Record<string, unknown>;
  path: YamlPath;
  label: string;
}

/** RecordSet resources and the records of RecordSetGroups, live in this environment. */
function records(scope: Scope): RecordAt[] {
  return Object.entries(scope.template.resources).flatMap(([id, resource]): RecordAt[] => {
    if (!isLive(resource.Condition, scope) || !isRecord(resource.Properties)) return [];
    const base: YamlPath = ['Resources', id, 'Properties'];
    const name = (props: Record<string, unknown>) => ('Name' in props ? ` ${describe(props.Name)}` : '');
    if (resource.Type === 'AWS::Route53::RecordSet') {
      return [{ props: resource.Properties, path: base, label: `record${name(resource.Properties)} (${id})` }];
    }
    if (resource.Type === 'AWS::Route53::RecordSetGroup') {
      return items(resource.Properties.RecordSets, [...base, 'RecordSets'], scope).flatMap(({ value, path }) =>
        isRecord(value) ? [{ props: value, path, label: `record${name(value)} (${id})` }] : [],
      );
    }
    return [];
  });
}

/**
 * The load balancer an alias target's DNSName or HostedZoneId belongs to: a GetAtt of a load
 * balancer here, an import of one, or an ELB host name (`….elb.amazonaws.com`).
 */
function loadBalancer(value: unknown, part: 'dns' | 'zone', scope: Scope, depth = 0): string | undefined {
  if (depth > 4) return undefined;
  for (const { value: branch } of branches(value, [], scope)) {
    if (!isRecord(branch)) {
      if (part === 'dns' && typeof branch === 'string' && isElbHost(branch)) return branch;
      continue;
    }
    const getAtt = branch['Fn::GetAtt'];
    const [id, attr] = Array.isArray(getAtt) ? (getAtt as unknown[]) : typeof getAtt === 'string' ? getAtt.split(/\.(.*)/) : [];
    if (typeof id === 'string' && typeof attr === 'string' && LOAD_BALANCERS.has(String(scope.template.resources[id]?.Type))) {
      if (part === 'dns' ? attr === 'DNSName' : LB_ZONE_ATTRIBUTES.has(attr)) return id;
    }
    if ('Fn::ImportValue' in branch) {
      const entry = importedExport(branch['Fn::ImportValue'], scope);
      const found = entry && loadBalancer(entry.value, part, scope.model.scope(entry.template, scope.env), depth + 1);
      if (found) return `${found} (import ${describe(branch['Fn::ImportValue'])})`;
      continue;
    }
    const sub = branch['Fn::Sub'];
    const text: unknown = Array.isArray(sub) ? sub[0] : sub;
    if (part === 'dns' && typeof text === 'string') {
      for (const [, name = ''] of text.matchAll(/\$\{([^}.!]+)\.DNSName\}/g)) {
        if (LOAD_BALANCERS.has(String(scope.template.resources[name]?.Type))) return name;
      }
    }
    if (part === 'dns' && isElbHost(evaluateString(branch, scope))) return describe(branch);
  }
  return undefined;
}

function isElbHost(host: string): boolean {
  return /\.elb\.amazonaws\.com\.?$/i.test(host);
}
