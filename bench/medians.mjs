// The statistics every benchmark reports: the median of each command's timings.

/** The median of a list of numbers (the mean of the middle two for an even count). */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** { name: [timings] } → { name: median }. */
export const medians = (times) => Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));

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
