// `biomage drift` on the twin: today's cf/ and the drift fixture (test/fixtures/drift: one
// template per resource type drift is checked on) deployed together, first in sync, then with one
// change per listed type made through the service's own API (S3 versioning, encryption and bucket
// policy; DynamoDB billing mode, PITR and deletion protection; SQS and SNS attributes; IAM trust and
// inline policy; Lambda configuration; a security group rule; log group retention).
//
// Against the obvious alternative: a shell loop of the AWS CLI over the same stacks, one after the
// other: `detect-stack-drift`, `describe-stack-drift-detection-status` until it is done, then
// `describe-stack-resource-drifts` (MODIFIED, DELETED). It reports raw drift only (no masking, no
// comparison with the code, nothing about stacks or templates missing).
//
// Whole-process wall times, interleaved by round; medians and ratios of medians. The AWS requests
// each run made are counted in the emulator's own log, which logs every request.
//
//   node bench/drift.mjs [rounds]      (needs dist/ built and aws-cli on PATH)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { emulatorEnv } from './emulator-runs.mjs';
import { medians } from './medians.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 5);
const dist = (module) => import(pathToFileURL(join(repo, 'dist', module)).href);
const { startEmulator } = await dist('tools/moto.js');
const { registerDevCluster } = await dist('dev/twin-stacks.js');

/** A repository of its own: the tracked files and the built CLI, cf/ holding today's templates and the fixture's. */
function repository() {
  const root = mkdtempSync(join(tmpdir(), 'bench-drift-'));
  execFileSync('bash', ['-c', `git -C "${repo}" archive HEAD | tar -x -C "${root}"`]);
  cpSync(join(repo, 'dist'), join(root, 'dist'), { recursive: true });
  for (const shared of ['node_modules', '.tools']) symlinkSync(join(repo, shared), join(root, shared));
  const fixture = join(repo, 'test', 'fixtures', 'drift', 'cf');
  for (const file of readdirSync(fixture).filter((f) => f !== 'parameters.yaml')) cpSync(join(fixture, file), join(root, 'cf', file));
  writeFileSync(join(root, 'cf', 'parameters.yaml'), `${readFileSync(join(root, 'cf', 'parameters.yaml'), 'utf8')}\n${readFileSync(join(fixture, 'parameters.yaml'), 'utf8')}`);
  return root;
}

const logDir = mkdtempSync(join(tmpdir(), 'bench-drift-log-'));
const logFile = join(logDir, 'emulator.log');
const emulator = await startEmulator({ logFile });
const target = { region: 'eu-west-1', endpoint: emulator.endpoint, local: true };
const env = emulatorEnv({ AWS_ENDPOINT_URL: emulator.endpoint });

/** Requests the emulator has logged so far. */
const requests = () => readFileSync(logFile, 'utf8').split('\n').filter((line) => /"(GET|POST|PUT|DELETE|HEAD|PATCH) \S+ HTTP\/1\.1"/.test(line)).length;

/** Wall time and AWS requests of one whole process; its exit code must be one of `ok`. */
function timed(file, args, cwd, ok) {
  const before = requests();
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!ok.includes(result.status)) throw new Error(`${file} ${args.join(' ')} exited ${result.status}:\n${result.stderr.slice(-1500)}`);
  return { ms, calls: requests() - before, status: result.status, stdout: result.stdout };
}

function loopScript(stacks) {
  const aws = 'aws --endpoint-url "$AWS_ENDPOINT_URL" cloudformation';
  return [
    'set -e',
    ...stacks.map(
      (s) =>
        `id=$(${aws} detect-stack-drift --stack-name ${s} --query StackDriftDetectionId --output text)\n` +
        `while [ "$(${aws} describe-stack-drift-detection-status --stack-drift-detection-id "$id" --query DetectionStatus --output text)" = DETECTION_IN_PROGRESS ]; do sleep 0.05; done\n` +
        `${aws} describe-stack-resource-drifts --stack-name ${s} --stack-resource-drift-status-filters MODIFIED DELETED --output json`,
    ),
  ].join('\n');
}

/** One change per listed type, through each service's API (as an operator in the console would). */
async function driftEverything() {
  const e = 'development';
  const sdk = async (name) => import(`@aws-sdk/client-${name}`);
  const client = (Client) => new Client({ region: target.region, endpoint: target.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, forcePathStyle: true });
  const s3m = await sdk('s3');
  const s3 = client(s3m.S3Client);
  const bucket = `drift-data-${e}`;
  await s3.send(new s3m.PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }));
  await s3.send(new s3m.PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } }));
  await s3.send(new s3m.PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] }) }));
  const ddbm = await sdk('dynamodb');
  const ddb = client(ddbm.DynamoDBClient);
  const table = `drift-experiments-${e}`;
  await ddb.send(new ddbm.UpdateTableCommand({ TableName: table, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }));
  await ddb.send(new ddbm.UpdateTableCommand({ TableName: table, DeletionProtectionEnabled: false }));
  await ddb.send(new ddbm.UpdateContinuousBackupsCommand({ TableName: table, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } }));
  const sqsm = await sdk('sqs');
  const sqs = client(sqsm.SQSClient);
  const { QueueUrl } = await sqs.send(new sqsm.GetQueueUrlCommand({ QueueName: `drift-jobs-${e}` }));
  await sqs.send(new sqsm.SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '300' } }));
  const snsm = await sdk('sns');
  const sns = client(snsm.SNSClient);
  const topic = ((await sns.send(new snsm.ListTopicsCommand({}))).Topics ?? []).map((t) => t.TopicArn).find((a) => a.endsWith(`:drift-results-${e}`));
  await sns.send(new snsm.SetTopicAttributesCommand({ TopicArn: topic, AttributeName: 'DisplayName', AttributeValue: 'Changed by hand' }));
  const iamm = await sdk('iam');
  const iam = client(iamm.IAMClient);
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  await iam.send(new iamm.UpdateAssumeRolePolicyCommand({ RoleName: `drift-worker-${e}`, PolicyDocument: JSON.stringify(trust) }));
  await iam.send(new iamm.PutRolePolicyCommand({ RoleName: `drift-worker-${e}`, PolicyName: 'read-data', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }) }));
  const lambdam = await sdk('lambda');
  await client(lambdam.LambdaClient).send(new lambdam.UpdateFunctionConfigurationCommand({ FunctionName: `drift-function-${e}`, Timeout: 90 }));
  const ec2m = await sdk('ec2');
  const ec2 = client(ec2m.EC2Client);
  const { SecurityGroups = [] } = await ec2.send(new ec2m.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [`drift-api-${e}`] }] }));
  await ec2.send(new ec2m.AuthorizeSecurityGroupIngressCommand({ GroupId: SecurityGroups[0]?.GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
  const logsm = await sdk('cloudwatch-logs');
  await client(logsm.CloudWatchLogsClient).send(new logsm.PutRetentionPolicyCommand({ logGroupName: `/aws/lambda/drift-function-${e}`, retentionInDays: 90 }));
}

const report = { rounds, phases: {} };
const root = repository();
try {
  await registerDevCluster(target);
  timed(join(root, 'bin', 'biomage'), ['deploy-cf', '--json', '--concurrency', '8'], root, [0]);
  const listed = JSON.parse(execFileSync('aws', ['--endpoint-url', emulator.endpoint, 'cloudformation', 'describe-stacks', '--query', 'Stacks[].StackName', '--output', 'json'], { env, encoding: 'utf8' }));
  const stacks = listed.filter((s) => /^biomage-.+-development$/.test(s)).sort();
  const loop = loopScript(stacks);
  for (const phase of ['in sync', 'one drift per listed type']) {
    if (phase !== 'in sync') await driftEverything();
    const times = {};
    const calls = {};
    const exits = {};
    for (let round = 0; round < rounds; round++) {
      const biomage = timed(join(root, 'bin', 'biomage'), ['drift', '--only', 'stacks', '--json', '--concurrency', '4'], root, [0, 1, 3]);
      (times['biomage drift'] ??= []).push(biomage.ms);
      calls['biomage drift'] = biomage.calls;
      exits['biomage drift'] = biomage.status;
      const differences = JSON.parse(biomage.stdout).result.differences.length;
      const cli = timed('bash', ['-c', loop], root, [0]);
      (times['aws CLI loop'] ??= []).push(cli.ms);
      calls['aws CLI loop'] = cli.calls;
      report.phases[phase] = { differences };
    }
    const m = medians(times);
    report.phases[phase] = { ...report.phases[phase], stacks: stacks.length, mediansMs: m, awsRequests: calls, exitCodes: exits, ratio: m['aws CLI loop'] / m['biomage drift'] };
    console.log(`\n${phase}: ${stacks.length} stacks, biomage reports ${report.phases[phase].differences} difference(s), exit ${exits['biomage drift']}`);
    for (const name of Object.keys(m)) console.log(`  ${name.padEnd(16)} median ${(m[name] / 1000).toFixed(2)} s, ${calls[name]} AWS requests`);
    console.log(`  aws CLI loop / biomage drift: ${report.phases[phase].ratio.toFixed(1)}x`);
  }
} finally {
  await emulator.stop();
  rmSync(root, { recursive: true, force: true });
}
mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
writeFileSync(join(repo, 'bench', 'results', 'drift.json'), `${JSON.stringify(report, null, 2)}\n`);
