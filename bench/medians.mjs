// The statistics every benchmark reports: the median of each command's timings.

/** The median of a list of numbers (the mean of the middle two for an even count). */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** { name: [timings] } → { name: median }. */
export const medians = (times) => Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
