// Bundles the sandbox's browser app (web/) in memory when the server starts, so the page
// needs no build step and nothing from a CDN: preact comes from node_modules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

// Relative to this file, not the cwd: the server may be started from anywhere.
const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));

export interface SandboxBundle {
  js: string;
  css: string;
}

export async function buildSandboxBundle(): Promise<SandboxBundle> {
  const result = await build({
    entryPoints: [path.join(WEB_DIR, 'main.tsx')],
    absWorkingDir: WEB_DIR,
    tsconfig: path.join(WEB_DIR, 'tsconfig.json'),
    bundle: true,
    write: false,
    // Imported CSS becomes a second output file, so an output folder is needed; nothing is
    // written to it.
    outdir: path.join(WEB_DIR, 'out'),
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
  if (!js) throw new Error('buildSandboxBundle: esbuild produced no JavaScript');
  return { js: js.text, css: css?.text ?? '' };
}
