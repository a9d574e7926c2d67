// The module specifiers a TypeScript source imports, for the layering tests.

/** Every module specifier a TypeScript source imports or requires. */
export function importedSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(pattern)) specifiers.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
  return specifiers;
}
