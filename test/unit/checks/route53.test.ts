import { describe, expect, it } from 'vitest';
import { route53Rules } from '../../../src/checks/rules/route53.js';
import { memoryRepo, realRepositoryFindings, runRules } from '../../helpers/check-repo.js';

const HEAD = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Environment:
    Type: String
    AllowedValues: [development, staging, production]
  Zone:
    Type: String
Resources:
  Balancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
  Bucket:
    Type: AWS::S3::Bucket
`;

const findings = async (resources: string, extra: Record<string, string> = {}) =>
  (await runRules([route53Rules], memoryRepo({ 'cf/dns.yaml': HEAD + resources, ...extra }))).map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`);

describe('route53 rules', () => {
  it('want an alias to a load balancer to be A or AAAA, however the load balancer is named', async () => {
    expect(
      await findings(`  ByGetAtt:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: api.example.org
      Type: CNAME
      AliasTarget: { DNSName: !GetAtt Balancer.DNSName, HostedZoneId: Z2 }
  ByZone:
    Type: AWS::Route53::RecordSetGroup
    Properties:
      HostedZoneId: !Ref Zone
      RecordSets:
        - Name: ok.example.org
          Type: AAAA
          AliasTarget: { DNSName: x, HostedZoneId: !GetAtt Balancer.CanonicalHostedZoneID }
        - Name: txt.example.org
          Type: TXT
          AliasTarget: { DNSName: x, HostedZoneId: !GetAtt Balancer.CanonicalHostedZoneID }
  ByHost:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: www.example.org
      Type: CNAME
      AliasTarget: { DNSName: !Sub 'k8s-web-1234.\${AWS::Region}.elb.amazonaws.com', HostedZoneId: Z2 }
  NotABalancer:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: files.example.org
      Type: CNAME
      AliasTarget: { DNSName: !GetAtt Bucket.RegionalDomainName, HostedZoneId: Z3 }
`),
    ).toEqual([
      'cf/dns.yaml:18 route53-alias-type record api.example.org (ByGetAtt) aliases load balancer Balancer with Type CNAME',
      'cf/dns.yaml:29 route53-alias-type record txt.example.org (ByZone) aliases load balancer Balancer with Type TXT',
      'cf/dns.yaml:36 route53-alias-type record www.example.org (ByHost) aliases load balancer k8s-web-1234.${AWS::Region}.elb.amazonaws.com with Type CNAME',
    ]);
  });

  it('follow an import of a load balancer export', async () => {
    const exporter = `${HEAD}Outputs:\n  Dns:\n    Value: !GetAtt Balancer.DNSName\n    Export:\n      Name: !Sub biomage-lb-dns-\${Environment}\n`;
    expect(
      await findings(
        `  Record:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: api.example.org
      Type: CNAME
      AliasTarget: { DNSName: !ImportValue {'Fn::Sub': 'biomage-lb-dns-\${Environment}'}, HostedZoneId: Z2 }
`,
        { 'cf/lb.yaml': exporter },
      ),
    ).toEqual([
      'cf/dns.yaml:18 route53-alias-type record api.example.org (Record) aliases load balancer Balancer (import biomage-lb-dns-${Environment}) with Type CNAME',
    ]);
  });

  it('want no TTL on an alias record, and allow one elsewhere', async () => {
    expect(
      await findings(`  Alias:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: api.example.org
      Type: A
      TTL: '60'
      AliasTarget: { DNSName: !GetAtt Balancer.DNSName, HostedZoneId: !GetAtt Balancer.CanonicalHostedZoneID }
  Plain:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: txt.example.org
      Type: TXT
      TTL: '60'
      ResourceRecords: ['"v=1"']
`),
    ).toEqual(['cf/dns.yaml:19 route53-alias-ttl record api.example.org (Alias) is an alias and sets a TTL']);
  });

  it('find nothing in the real templates', async () => {
    expect(await realRepositoryFindings([route53Rules])).toEqual([]);
  });

});
