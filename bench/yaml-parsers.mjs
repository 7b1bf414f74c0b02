// Parsing CloudFormation templates for their values: js-yaml (src/yaml/cfn.ts, what deploy-cf
// uses) against the `yaml` library with positions (src/yaml/source.ts, what check uses), over the
// templates of cf/ and test/fixtures/platform/cf. Each run is a fresh process that loads the module
// and parses every template once, as one CLI run does; runs interleaved, medians and their ratio.
// The figure is what justifies keeping two YAML libraries (the comment atop src/yaml/cfn.ts).
//
//   node bench/yaml-parsers.mjs [runs]        (make bench)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { medians } from './medians.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 15);

const script = (load) => `
  import { readdirSync, readFileSync } from 'node:fs';
  import { join } from 'node:path';
  const texts = ['cf', 'test/fixtures/platform/cf'].flatMap((dir) =>
    readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'parameters.yaml').map((f) => readFileSync(join(dir, f), 'utf8')));
  const started = process.hrtime.bigint();
  ${load}
  console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - started) / 1e6, templates: texts.length }));`;

const contenders = {
  'js-yaml (parseCfnYaml)': script(`const { parseCfnYaml } = await import('./dist/yaml/cfn.js'); for (const t of texts) parseCfnYaml(t);`),
  'yaml with positions (parseYamlFile)': script(
    `const { parseYamlFile } = await import('./dist/yaml/source.js'); for (const t of texts) parseYamlFile(t, { cfn: true });`,
  ),
};

const times = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
let templates = 0;
for (let i = -1; i < runs; i++) {
  for (const [name, code] of Object.entries(contenders)) {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}: ${result.stderr}`);
    const { ms, templates: count } = JSON.parse(result.stdout);
    templates = count;
    if (i >= 0) times[name].push(ms); // the first round warms the file cache
  }
}

const medianOf = medians(times);
const [fast, slow] = Object.keys(contenders);
const report = { runs, templates, node: process.version, mediansMs: medianOf, ratio: { [`${slow} / ${fast}`]: medianOf[slow] / medianOf[fast] } };
console.log(`${templates} templates, load + parse in a fresh process`);
for (const [name, ms] of Object.entries(medianOf)) console.log(`${name.padEnd(36)} median ${ms.toFixed(1)} ms`);
for (const [name, r] of Object.entries(report.ratio)) console.log(`${name} ${r.toFixed(2)}x`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'yaml-parsers.json'), `${JSON.stringify(report, null, 2)}\n`);
