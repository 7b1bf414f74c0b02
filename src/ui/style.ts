/** Minimal ANSI styling; a no-op when colour is off (NO_COLOR, --no-color, not a terminal). */
const CODES = { red: 31, green: 32, yellow: 33, blue: 34, dim: 2, bold: 1 } as const;
export type StyleName = keyof typeof CODES;

export type Paint = (style: StyleName, text: string) => string;

export function painter(enabled: boolean): Paint {
  return enabled ? (style, text) => `\u001b[${CODES[style]}m${text}\u001b[0m` : (_style, text) => text;
}

/** Colour follows https://no-color.org: any non-empty NO_COLOR turns it off. */
export function colorWanted(flag: boolean, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  return flag && !env.NO_COLOR && isTTY;
}
