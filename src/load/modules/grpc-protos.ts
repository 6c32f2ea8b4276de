import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import protobuf from 'protobufjs';
import type * as ProtoJson from 'protobufjs/ext/protojson.js';

// protobuf.js's extensions are CommonJS without named exports Node can see
const require = createRequire(import.meta.url);
require('protobufjs/ext/descriptor/index.js'); // adds Root.fromDescriptor (protosets, reflection)
const protojson = require('protobufjs/ext/protojson.js') as typeof ProtoJson;

/**
 * The schemas of `k6/net/grpc`: .proto files (`client.load`), protosets (`client.loadProtoset`)
 * and descriptor sets fetched by reflection become protobuf.js roots; their services' methods are
 * looked up by `/package.Service/Method`. Messages cross the script boundary as k6 passes them:
 * the Protobuf JSON mapping (protojson), with unpopulated fields emitted as Go's protojson does
 * with EmitUnpopulated (k6 reads responses that way).
 */

export interface MethodDef {
  /** `/package.Service/Method` */
  path: string;
  requestType: protobuf.Type;
  responseType: protobuf.Type;
  clientStream: boolean;
  serverStream: boolean;
}

/** What `client.load()` returns for each method, as k6's MethodInfo. */
export interface MethodInfo {
  package: string;
  service: string;
  fullMethod: string;
}

/** The methods a client knows, from every schema loaded into it (load may be called more than once). */
export class MethodTable {
  private readonly methods = new Map<string, MethodDef>();

  add(root: protobuf.Root): MethodInfo[] {
    const infos: MethodInfo[] = [];
    for (const service of servicesOf(root)) {
      const serviceName = service.fullName.replace(/^\./, '');
      const pkg = service.parent && service.parent !== root ? service.parent.fullName.replace(/^\./, '') : '';
      for (const method of service.methodsArray) {
        method.resolve();
        const path = `/${serviceName}/${method.name}`;
        this.methods.set(path, {
          path,
          requestType: method.resolvedRequestType!,
          responseType: method.resolvedResponseType!,
          clientStream: Boolean(method.requestStream),
          serverStream: Boolean(method.responseStream),
        });
        infos.push({ package: pkg, service: service.name, fullMethod: path });
      }
    }
    return infos;
  }

  /** The method by k6's name for it (the leading slash optional), or k6's error. */
  get(name: unknown): MethodDef {
    const text = typeof name === 'string' ? name : '';
    if (text === '') throw new Error('method to invoke cannot be empty');
    const path = text.startsWith('/') ? text : `/${text}`;
    const method = this.methods.get(path);
    if (!method) throw new Error(`method "${path}" not found in file descriptors; load its .proto with client.load(), or connect with { reflect: true }`);
    return method;
  }
}

function* servicesOf(ns: protobuf.NamespaceBase): Generator<protobuf.Service> {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Service) yield nested;
    if (nested instanceof protobuf.Namespace) yield* servicesOf(nested);
  }
}

// one parse per thread for the same files: every VU's client.load() in the init context asks again
const rootCache = new Map<string, protobuf.Root>();

/**
 * Parses .proto files as k6's `client.load(importPaths, ...files)`: files and their imports are
 * looked up in the import paths (relative ones from the script's directory; none given means the
 * script's directory); google/protobuf/* come bundled.
 */
export function loadProtoFiles(importPaths: readonly string[], files: readonly string[], scriptDir: string): protobuf.Root {
  const dirs = (importPaths.length ? importPaths : ['.']).map((p) => resolve(scriptDir, p.replace(/^file:\/\//, '')));
  const key = JSON.stringify([dirs, files]);
  const cached = rootCache.get(key);
  if (cached) return cached;
  const find = (target: string): string => {
    if (isAbsolute(target)) return target;
    return dirs.map((d) => resolve(d, target)).find((f) => existsSync(f)) ?? resolve(dirs[0]!, target);
  };
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => find(target);
  for (const file of files) {
    if (!existsSync(find(file))) throw new Error(`client.load: ${file} not found in the import paths (${dirs.join(', ')})`);
  }
  try {
    root.loadSync([...files], { keepCase: true });
    root.resolveAll();
  } catch (error) {
    throw new Error(`client.load: ${(error as Error).message}`, { cause: error });
  }
  rootCache.set(key, root);
  return root;
}

/** A FileDescriptorSet (a protoset file's bytes, or the files reflection returned) as a root. */
export function rootFromDescriptorSet(set: Uint8Array | { file: unknown[] }, what: string): protobuf.Root {
  try {
    const root = (protobuf.Root as unknown as { fromDescriptor(d: unknown, o: { keepCase: boolean }): protobuf.Root }).fromDescriptor(set, { keepCase: true });
    root.resolveAll();
    return root;
  } catch (error) {
    throw new Error(`${what}: not a valid FileDescriptorSet (${(error as Error).message})`, { cause: error });
  }
}

export function loadProtoset(path: string, scriptDir: string): protobuf.Root {
  const full = resolve(scriptDir, path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch {
    throw new Error(`couldn't open protoset: ${full} does not exist or cannot be read`);
  }
  return rootFromDescriptorSet(bytes, `couldn't unmarshal protoset file ${path}`);
}

/** k6 sends NaN and ±Infinity as the strings protojson reads for them. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  return value;
}

/** A script's request object → wire bytes, through its JSON form as k6 does (protojson rules, unknown fields refused). */
export function encodeMessage(type: protobuf.Type, value: unknown): Buffer {
  if (value === null || value === undefined) throw new Error('request cannot be nil');
  let json: unknown;
  try {
    json = JSON.parse(JSON.stringify(value, jsonSafe) ?? 'null');
  } catch (error) {
    throw new Error(`unable to serialise request object: ${(error as Error).message}`, { cause: error });
  }
  try {
    const message = protojson.fromJson(type, json);
    return Buffer.from(type.encode(message).finish());
  } catch (error) {
    throw new Error(`unable to serialise request object to protocol buffer: ${(error as Error).message}`, { cause: error });
  }
}

/** Wire bytes → the object a script reads: protojson, every unpopulated field present (as k6's EmitUnpopulated). */
export function decodeMessage(type: protobuf.Type, bytes: Uint8Array): unknown {
  const json = protojson.toJson(type, type.decode(bytes));
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) fillUnpopulated(type, json as Record<string, unknown>);
  return json;
}

const LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** Go's protojson EmitUnpopulated: scalars their zero, lists [], maps {}, messages null; unset oneofs stay out. */
export function fillUnpopulated(type: protobuf.Type, json: Record<string, unknown>): void {
  if (type.fullName.startsWith('.google.protobuf.')) return; // well-known types have their own JSON forms
  for (const field of type.fieldsArray) {
    field.resolve();
    const key = field.jsonName;
    const value = json[key];
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (value !== undefined) {
      if (!nested || value === null || typeof value !== 'object') continue;
      const items = field.map ? Object.values(value) : field.repeated ? (value as unknown[]) : [value];
      for (const item of items) if (item !== null && typeof item === 'object' && !Array.isArray(item)) fillUnpopulated(nested, item as Record<string, unknown>);
      continue;
    }
    if (field.partOf) continue; // a oneof member or a proto3 `optional`: absent means unset
    json[key] = zeroValue(field, nested);
  }
}

function zeroValue(field: protobuf.Field, nested: protobuf.Type | undefined): unknown {
  if (field.map) return {};
  if (field.repeated) return [];
  if (nested) return null;
  if (field.resolvedType instanceof protobuf.Enum) {
    if (field.resolvedType.fullName === '.google.protobuf.NullValue') return null;
    return field.resolvedType.valuesById[0] ?? 0;
  }
  if (LONGS.has(field.type)) return '0';
  if (field.type === 'bool') return false;
  if (field.type === 'string' || field.type === 'bytes') return '';
  return 0;
}

/**
 * The gRPC services k6 speaks without a .proto from the script, written from their public
 * definitions (grpc/grpc-proto): health checking and server reflection (v1 and v1alpha).
 */
const HEALTH_PROTO = `
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
`;

const REFLECTION_PROTO = (pkg: string) => `
syntax = "proto3";
package ${pkg};
message ServerReflectionRequest {
  string host = 1;
  oneof message_request {
    string file_by_filename = 3;
    string file_containing_symbol = 4;
    string list_services = 7;
  }
}
message ServerReflectionResponse {
  string valid_host = 1;
  ServerReflectionRequest original_request = 2;
  oneof message_response {
    FileDescriptorResponse file_descriptor_response = 4;
    ListServiceResponse list_services_response = 6;
    ErrorResponse error_response = 7;
  }
}
message FileDescriptorResponse { repeated bytes file_descriptor_proto = 1; }
message ListServiceResponse { repeated ServiceResponse service = 1; }
message ServiceResponse { string name = 1; }
message ErrorResponse { int32 error_code = 1; string error_message = 2; }
`;

let builtins: { healthRequest: protobuf.Type; healthResponse: protobuf.Type; reflection: Record<'v1' | 'v1alpha', { request: protobuf.Type; response: protobuf.Type }> } | undefined;

/** Health and reflection message types (parsed once per thread). */
export function builtinTypes(): NonNullable<typeof builtins> {
  if (builtins) return builtins;
  const health = protobuf.parse(HEALTH_PROTO, { keepCase: true }).root;
  const reflectionTypes = (pkg: string) => {
    const root = protobuf.parse(REFLECTION_PROTO(pkg), { keepCase: true }).root;
    return { request: root.lookupType(`${pkg}.ServerReflectionRequest`), response: root.lookupType(`${pkg}.ServerReflectionResponse`) };
  };
  builtins = {
    healthRequest: health.lookupType('grpc.health.v1.HealthCheckRequest'),
    healthResponse: health.lookupType('grpc.health.v1.HealthCheckResponse'),
    reflection: { v1: reflectionTypes('grpc.reflection.v1'), v1alpha: reflectionTypes('grpc.reflection.v1alpha') },
  };
  return builtins;
}
