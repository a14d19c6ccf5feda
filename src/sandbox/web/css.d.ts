// esbuild bundles imported CSS into its own output file (see ../web-bundle.ts).
declare module '*.css';
