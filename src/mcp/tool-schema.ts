// A zod schema as the MCP SDK takes it (a Standard Schema with its JSON Schema). The SDK asks
// zod for the JSON Schema of what a tool answers, and zod refuses one for any schema with a
// transform (ours normalise JSON values); like the OpenAPI document, the tools show such a
// part as any JSON, and validation stays zod's own.
import { z } from 'zod';

import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';

type Target = Parameters<typeof z.toJSONSchema>[1] extends infer O ? (O extends { target?: infer T } ? T : never) : never;

export function toolSchema<S extends z.ZodType>(schema: S): StandardSchemaWithJSON<z.input<S>, z.output<S>> {
  const json = (io: 'input' | 'output', target: unknown) =>
    z.toJSONSchema(schema, { io, unrepresentable: 'any', ...(typeof target === 'string' ? { target: target as Target } : {}) }) as Record<string, unknown>;
  return {
    '~standard': {
      version: 1,
      vendor: 'zod',
      validate: (value) => schema['~standard'].validate(value),
      jsonSchema: {
        input: (options) => json('input', options?.target),
        output: (options) => json('output', options?.target),
      },
    },
  } as StandardSchemaWithJSON<z.input<S>, z.output<S>>;
}
