import type { RuleModule } from '../context.js';
import { workflowRules } from './workflows.js';

/** The repository's own rules, one module per area. Adding a rule group means adding it here. */
export const RULE_MODULES: readonly RuleModule[] = [workflowRules];
