import { z } from 'zod';
import type { YamlPath } from '../yaml/source.js';
import type { ClusterEnvironment } from '../infra/cluster-config.js';
import { InputError } from '../ui/errors.js';
import { loadConfigFile } from './config-file.js';

/** Each environment's public DNS: domain, Route 53 hosted zone, ACM certificate. */
export const DNS_CONFIG_FILE = 'infra/dns.yaml';

// A fully qualified name as Route 53 and ACM take it: lower-case labels of letters, digits and
// inner hyphens (at most 63 characters each, 253 in all), a top-level label that starts with a
// letter, no trailing dot.
export const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,32}$/;
/** Groups: partition, region, account. ACM certificate ids are UUIDs. */
export const CERTIFICATE_ARN = /^arn:(aws|aws-cn|aws-us-gov):acm:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const environmentSchema = z.strictObject({
  domain: z.string().regex(DNS_NAME, { error: 'must be a lower-case DNS name without the trailing dot, like staging.example.org' }),
  hostedZoneId: z.string().regex(HOSTED_ZONE_ID, { error: 'must be a Route 53 hosted zone id: Z and up to 32 upper-case letters and digits' }),
  certificateArn: z
    .string()
    .regex(CERTIFICATE_ARN, { error: 'must be an ACM certificate ARN, like arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>' }),
});

const dnsConfigSchema = z
  .strictObject({ staging: environmentSchema, production: environmentSchema })
  .superRefine((config, ctx) => {
    if (config.staging.domain === config.production.domain) {
      ctx.addIssue({ code: 'custom', path: ['production', 'domain'], message: `is staging's domain too (${config.staging.domain}): one deployment per domain` });
    }
  });

export type DnsConfig = z.infer<typeof dnsConfigSchema>;

/** One environment's DNS settings, its certificate checked against the cluster's region. */
export interface EnvironmentDns {
  domain: string;
  hostedZoneId: string;
  certificateArn: string;
  /** Where in infra/dns.yaml each setting is (`infra/dns.yaml:12`), for errors found later. */
  where: { domain: string; hostedZoneId: string; certificateArn: string };
}

const HINT = 'fix the field named; infra/dns.yaml sets domain, hostedZoneId and certificateArn for staging and production (development is the local twin: it has no DNS)';

function readDnsConfig(root: string): { config: DnsConfig; lineOf: (path: YamlPath) => number } {
  const { data, lineOf } = loadConfigFile(root, DNS_CONFIG_FILE, dnsConfigSchema, {
    missing: 'create it: domain, hostedZoneId and certificateArn for staging and production',
    yaml: 'fix the YAML at that line (indentation, an unclosed bracket or quote)',
    invalid: HINT,
  });
  return { config: data, lineOf };
}

/** infra/dns.yaml, validated: any problem is an InputError naming the file and line (exit 2). */
export function loadDnsConfig(root: string): DnsConfig {
  return readDnsConfig(root).config;
}

/**
 * The DNS settings of one environment whose cluster runs in `region`. The load balancer can use a
 * certificate of its own region only, so a certificate from another region is bad input here,
 * before anything is read from AWS.
 */
export function environmentDns(root: string, env: ClusterEnvironment, region: string): EnvironmentDns {
  const { config, lineOf } = readDnsConfig(root);
  const settings = config[env];
  const at = (field: keyof DnsConfig[ClusterEnvironment]) => `${DNS_CONFIG_FILE}:${lineOf([env, field])}`;
  const certificateRegion = CERTIFICATE_ARN.exec(settings.certificateArn)?.[2];
  if (certificateRegion === undefined) throw new Error(`internal: ${env}.certificateArn passed the schema but does not match CERTIFICATE_ARN`);
  if (certificateRegion !== region) {
    throw new InputError(
      `${DNS_CONFIG_FILE}: ${env}.certificateArn is a certificate of ${certificateRegion}, and cluster biomage-${env} runs in ${region}: its load balancer can only use a certificate of ${region}`,
      {
        where: at('certificateArn'),
        hint: `request or import the certificate for ${settings.domain} and *.${settings.domain} with ACM in ${region}, and set its ARN here (or pass the cluster's region with --region); nothing was changed`,
      },
    );
  }
  return { ...settings, where: { domain: at('domain'), hostedZoneId: at('hostedZoneId'), certificateArn: at('certificateArn') } };
}
