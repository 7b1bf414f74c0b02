import { parametersFile, resolveParameters, unknownTemplates } from '../../cf/parameters.js';
import { templateNames } from '../../cf/selection.js';
import { ENVIRONMENTS } from '../../config/environments.js';
import { cfnModel } from '../cfn-model.js';
import type { RuleModule } from '../context.js';

/**
 * cf/parameters.yaml against the templates of cf/, for every environment at once: the same
 * problems deploy-cf refuses a run for (src/cf/parameters.ts is their one definition).
 */
export const cfParameterRules: RuleModule = {
  rules: [
    {
      id: 'cf-parameter-missing',
      rationale: 'a parameter with neither a Default nor a value fails in CloudFormation, leaving a ROLLBACK_COMPLETE stack; deploy-cf refuses the run',
      fix: 'set it in cf/parameters.yaml for every environment it lacks, or give it a Default',
    },
    {
      id: 'cf-parameter-value',
      rationale: "CloudFormation refuses a value its parameter's Type, AllowedValues, AllowedPattern, lengths or bounds reject; deploy-cf refuses it first",
      fix: "set a value the template's declaration of the parameter accepts",
    },
    {
      id: 'cf-parameter-unknown',
      rationale: 'a value for a template or parameter that does not exist is never used: usually a typo, with the intended value missing',
      fix: "key templates by their basename and parameters by the template's name for them, or remove the entry",
    },
    {
      id: 'cf-parameter-environment',
      rationale: 'a value for an environment that does not exist is never used: usually a typo, with the intended value missing',
      fix: `key per-environment values by ${ENVIRONMENTS.join(', ')}`,
    },
    {
      id: 'cf-parameters-file',
      rationale: 'cf/parameters.yaml has one shape, which other tooling writes: template, parameter, then one value or one per environment',
      fix: 'write `<template>:` → `<Parameter>: <value>` or `<Parameter>:` → `<environment>: <value>`; Environment and OIDCProvider are filled by deploy-cf',
    },
    {
      id: 'cf-parameter-default',
      rationale: "cf/parameters.yaml holds only what differs from the template: a value equal to the Default hides a later change of the Default",
      fix: 'remove the value',
    },
  ],
  check({ repo }) {
    const file = parametersFile(repo.parameters?.yaml);
    const templates = cfnModel(repo).templates.filter((t) => t.inCf);
    // The names on disk too: a template that does not parse is left out of the model (it has its
    // yaml-syntax finding) but is no unknown name.
    const names = [...templates.map((t) => t.name), ...templateNames(repo.root)];
    return [
      ...file.problems,
      ...unknownTemplates(file, names),
      ...templates.flatMap((template) => resolveParameters(file, template, ENVIRONMENTS).problems),
    ];
  },
};
