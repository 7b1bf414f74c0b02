// What the benchmarks that run against their own emulator share: the environment they run biomage
// and the aws CLI in, and the stacks of a repository in the order deploy-cf would deploy them.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (module) => import(pathToFileURL(join(repo, 'dist', module)).href);

/**
 * The environment a bench runs biomage and the aws CLI in against its own emulator: placeholder
 * credentials (the emulator takes any), its region, the twin's environment, and nothing prompts.
 */
export const emulatorEnv = (extra = {}) => ({
  ...process.env,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_REGION: 'eu-west-1',
  BIOMAGE_ENV: 'development',
  CI: 'true',
  ...extra,
});

/**
 * The stacks of `root`'s cf/ as deploy-cf plans them for development, exporters before their
 * importers: the order a one-stack-at-a-time loop deploys in (reversed, deletes in).
 */
export async function plansInDeployOrder(root, target) {
  const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
  const { awsClient } = await dist('aws/clients.js');
  const { loadParameterValues, loadTemplates, planDeploy } = await dist('cf/deploy.js');
  const cfn = awsClient(CloudFormationClient, target);
  const templates = await loadTemplates(root, { paths: [] });
  const plans = await planDeploy(templates, { env: 'development', target, cfn, values: loadParameterValues(root, templates, 'development') });
  cfn.destroy();
  const order = [];
  const visit = (plan) => {
    if (order.includes(plan)) return;
    for (const dep of plan.dependsOn) visit(plans.find((p) => p.stackName === dep));
    order.push(plan);
  };
  plans.forEach(visit);
  return order;
}
