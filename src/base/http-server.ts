// Options every fastify server of ours starts with. None of our routes declares a JSON schema
// (bodies are checked as raw bytes, then by zod), so fastify's schema compilers are replaced by
// ones that refuse: otherwise every process that starts a server would load ajv and
// fast-json-stringify (about 95 modules) for nothing. A route given a schema one day fails at
// start with this message instead of going unchecked.
import type { FastifyServerOptions } from 'fastify';

function refuse(what: string): () => never {
  return () => {
    throw new Error(`apichat-bdd: a route declares a JSON schema, but our fastify servers have no ${what} (src/base/http-server.ts): validate with zod, or add the compiler there`);
  };
}

export const NO_SCHEMA_COMPILERS: Pick<FastifyServerOptions, 'schemaController'> = {
  schemaController: { compilersFactory: { buildValidator: refuse('validator'), buildSerializer: refuse('serializer') } },
};
