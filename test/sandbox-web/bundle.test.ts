import { describe, expect, it } from 'vitest';

// Imported by URL, not by name: the bundler is Node code, and this folder is typechecked
// with browser types only (src/sandbox/web/tsconfig.json). The root typecheck covers it.
const bundlerUrl = new URL('../../src/sandbox/web-bundle.ts', import.meta.url).href;
const { buildSandboxBundle } = (await import(/* @vite-ignore */ bundlerUrl)) as {
  buildSandboxBundle: () => Promise<{ js: string; css: string }>;
};

// The XML namespaces Preact writes for SVG and MathML elements are URLs but never fetched.
const NAMESPACES = new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1998/Math/MathML', 'http://www.w3.org/1999/xhtml', 'http://www.w3.org/1999/xlink']);

describe('buildSandboxBundle', () => {
  it('bundles the app and its CSS with everything inside, nothing from a CDN', async () => {
    const { js, css } = await buildSandboxBundle();
    expect(js.length).toBeGreaterThan(10_000);
    expect(js).toContain('/sandbox/api');
    // Fully bundled: no import of preact (or anything) left for the browser to fetch.
    expect(js).not.toMatch(/\bimport\s*[\w{*\s,]*\s*from\s*["']|\bimport\s*\(\s*["']/);
    const urls = [...js.matchAll(/https?:\/\/[^\s"'`)]+/g)].map((m) => m[0]);
    expect(urls.filter((u) => !NAMESPACES.has(u))).toEqual([]);
    for (const cdn of ['unpkg', 'jsdelivr', 'esm.sh', 'skypack', 'cdnjs']) expect(js).not.toContain(cdn);
    // It parses as a script body: ESM output with no imports or exports left.
    expect(() => new Function(js)).not.toThrow();
    expect(css).toContain('.blk-header');
    expect(css).not.toMatch(/@import|https?:\/\//);
  }, 30_000);
});
