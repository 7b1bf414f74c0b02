import type { PropertyDifference } from '@aws-sdk/client-cloudformation';
import type { CfnTemplate } from '../cf/template.js';

/*
 * CloudFormation compares a security group's SecurityGroupIngress (or Egress) with every rule the
 * group has, so a rule that the template declares as a resource of its own
 * (AWS::EC2::SecurityGroupIngress / SecurityGroupEgress, the way two groups that reference each
 * other must be written) is reported as added to the group. Such a rule is the code's, not drift:
 * it is recognised here and left out of the report (and named in its notes).
 */

const SEPARATE_TYPES = { Ingress: 'AWS::EC2::SecurityGroupIngress', Egress: 'AWS::EC2::SecurityGroupEgress' } as const;
const PROTOCOLS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', all: '-1' };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a GroupId value points at the group `logicalId` of the same template. */
function pointsAt(groupId: unknown, logicalId: string): boolean {
  if (!isRecord(groupId)) return false;
  if (groupId.Ref === logicalId) return true;
  const attribute = groupId['Fn::GetAtt'];
  if (Array.isArray(attribute)) return attribute[0] === logicalId && attribute[1] === 'GroupId';
  return attribute === `${logicalId}.GroupId`;
}

/** A rule field as EC2 reports it, so template and live values compare: protocol names, ports as numbers. */
function normalised(key: string, value: unknown): string {
  const text = String(value).toLowerCase();
  return key === 'IpProtocol' ? (PROTOCOLS[text] ?? text) : text;
}

/**
 * The logical id of the separate rule resource that declares the rule this difference says was
 * added to group `logicalId`; undefined when no resource of the template declares it (then it is
 * drift). Fields the template computes (a Ref to another group, an import) match anything; every
 * literal field must equal the live rule's.
 */
export function separateRuleFor(template: Pick<CfnTemplate, 'Resources'>, logicalId: string, difference: PropertyDifference): string | undefined {
  const direction = /^\/SecurityGroup(Ingress|Egress)\/\d+$/.exec(difference.PropertyPath ?? '')?.[1] as keyof typeof SEPARATE_TYPES | undefined;
  if (!direction || difference.DifferenceType !== 'ADD') return undefined;
  let live: unknown;
  try {
    live = JSON.parse(difference.ActualValue ?? '');
  } catch {
    return undefined;
  }
  if (!isRecord(live)) return undefined;
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== SEPARATE_TYPES[direction] || !pointsAt(resource.Properties?.GroupId, logicalId)) continue;
    const declared = Object.entries(resource.Properties ?? {}).filter(([key, value]) => key !== 'GroupId' && !isRecord(value));
    if (!declared.some(([key]) => key === 'IpProtocol')) continue;
    if (declared.every(([key, value]) => key in live && normalised(key, live[key]) === normalised(key, value))) return id;
  }
  return undefined;
}
