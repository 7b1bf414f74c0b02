// Where things are in cf/: read by the template selection, the parameters file's reader and
// `biomage check`, none of which should have to import another for it.

export const CF_DIR = 'cf';
export const TEMPLATE_FILE = /\.(ya?ml|json)$/;
/** cf/parameters.yaml: the per-environment parameter values, in cf/ but not a template. */
export const PARAMETERS_FILE_NAME = 'parameters.yaml';
export const PARAMETERS_FILE = `${CF_DIR}/${PARAMETERS_FILE_NAME}`;

/** Whether a file name directly under cf/ is a template (and not cf/parameters.yaml). */
export function isTemplateFileName(name: string): boolean {
  return TEMPLATE_FILE.test(name) && name !== PARAMETERS_FILE_NAME;
}
