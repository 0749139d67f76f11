/**
 * Requests built from the served OpenAPI document itself, so a route added tomorrow is walked
 * by the access and fuzz tests without anyone listing it.
 */

export interface SchemaObject {
  type?: string;
  example?: unknown;
  enum?: unknown[];
  items?: SchemaObject;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  $ref?: string;
  allOf?: SchemaObject[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  example?: unknown;
  schema?: SchemaObject;
}

export interface Operation {
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: SchemaObject }> };
  responses: Record<string, unknown>;
  /** The permission a scoped key needs (stated by the gateway on every private operation) */
  'x-permission'?: string;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas?: Record<string, SchemaObject> };
}

export interface Route {
  method: string;
  /** The documented template, e.g. /sessions/{id}/stop */
  path: string;
  operation: Operation;
  /** The path parameter naming a session, if any */
  sessionParam: string | undefined;
  /** The permission the operation states it needs */
  permission: string | undefined;
}

const SESSION_PARAMS = ['id', 'session_id', 'user_token'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every documented operation that needs a key. */
export function privateRoutes(document: OpenApiDocument): Route[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(
        ([method, operation]) => METHODS.includes(method) && (operation.security ?? []).length > 0,
      )
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        operation,
        sessionParam: (operation.parameters ?? []).find(
          (parameter) =>
            parameter.in === 'path' &&
            SESSION_PARAMS.includes(parameter.name) &&
            !path.startsWith('/api-keys'),
        )?.name,
        permission: operation['x-permission'],
      })),
  );
}

function resolve(document: OpenApiDocument, schema: SchemaObject | undefined): SchemaObject {
  if (!schema) {
    return {};
  }
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop() ?? '';
    return resolve(document, document.components.schemas?.[name]);
  }
  if (schema.allOf) {
    return schema.allOf.reduce<SchemaObject>((merged, part) => {
      const resolved = resolve(document, part);
      return {
        ...merged,
        ...resolved,
        properties: { ...merged.properties, ...resolved.properties },
        required: [...(merged.required ?? []), ...(resolved.required ?? [])],
      };
    }, {});
  }
  return schema;
}

/** The top-level fields a body schema documents. */
function bodyFields(document: OpenApiDocument, schema: SchemaObject | undefined): string[] {
  return Object.keys(resolve(document, schema).properties ?? {});
}

/** A value the document itself suggests: its example, else a plausible one for the type. */
export function exampleOf(document: OpenApiDocument, schema: SchemaObject | undefined): unknown {
  const resolved = resolve(document, schema);
  if (resolved.example !== undefined) {
    return resolved.example;
  }
  if (resolved.enum?.length) {
    return resolved.enum[0];
  }
  switch (resolved.type) {
    case 'object':
      // What a client would send: the required fields and those the document gives an example for
      return Object.fromEntries(
        Object.entries(resolved.properties ?? {})
          .filter(
            ([name, property]) =>
              (resolved.required ?? []).includes(name) ||
              resolve(document, property).example !== undefined,
          )
          .map(([name, property]) => [name, exampleOf(document, property)]),
      );
    case 'array':
      return [exampleOf(document, resolved.items)];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    default:
      return resolved.properties ? exampleOf(document, { ...resolved, type: 'object' }) : 'x';
  }
}

/**
 * The request a documented route would get, with `sessionId` in its session parameter. `values`
 * replace the document's examples by name: path and query parameters, and top-level body fields
 * (`undefined` leaves a body field out).
 */
export function requestFor(
  document: OpenApiDocument,
  route: Route,
  sessionId: string,
  values: Record<string, unknown> = {},
): { url: string; init: RequestInit } {
  let url = route.path;
  const query = new URLSearchParams();
  for (const parameter of route.operation.parameters ?? []) {
    const value =
      parameter.name === route.sessionParam
        ? sessionId
        : parameter.name in values
          ? values[parameter.name]
          : (parameter.example ?? exampleOf(document, parameter.schema));
    if (parameter.in === 'path') {
      url = url.replace(`{${parameter.name}}`, encodeURIComponent(String(value)));
    } else if (parameter.in === 'query' && parameter.required) {
      query.set(parameter.name, String(value));
    }
  }
  const json = route.operation.requestBody?.content['application/json'];
  const example = json ? exampleOf(document, json.schema) : undefined;
  if (example && typeof example === 'object' && !Array.isArray(example)) {
    const fields = example as Record<string, unknown>;
    if ('sessionId' in fields) {
      fields.sessionId = sessionId;
    }
    for (const [name, value] of Object.entries(values)) {
      if (
        name in fields ||
        (value !== undefined && bodyFields(document, json?.schema).includes(name))
      ) {
        fields[name] = value;
      }
      if (value === undefined) {
        delete fields[name];
      }
    }
  }
  const body = example === undefined ? undefined : JSON.stringify(example);
  const search = query.toString();
  return {
    url: search ? `${url}?${search}` : url,
    init: {
      method: route.method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body,
    },
  };
}
