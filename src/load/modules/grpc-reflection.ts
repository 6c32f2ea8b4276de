import { createRequire } from 'node:module';
import grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { builtinTypes } from './grpc-protos.js';

/**
 * `connect(addr, { reflect: true })`: the server reflection protocol (grpc/grpc-proto,
 * reflection/v1, with v1alpha for older servers) on one bidirectional stream: list the services,
 * ask for the file declaring each, then for every dependency not yet received. The result is a
 * FileDescriptorSet for grpc-protos.ts.
 */

const require = createRequire(import.meta.url);
const descriptor = require('protobufjs/ext/descriptor/index.js') as { FileDescriptorProto: protobuf.Type };

interface FileProto {
  name?: string;
  dependency?: string[];
}

interface ReflectionResponse {
  file_descriptor_response?: { file_descriptor_proto?: Uint8Array[] };
  list_services_response?: { service?: Array<{ name?: string }> };
  error_response?: { error_code?: number; error_message?: string };
}

export async function fetchFileDescriptors(client: grpc.Client, metadata: grpc.Metadata, deadline: number): Promise<{ file: FileProto[] }> {
  try {
    return await reflect(client, 'v1', metadata, deadline);
  } catch (error) {
    if ((error as grpc.ServiceError).code !== grpc.status.UNIMPLEMENTED) throw error;
    return await reflect(client, 'v1alpha', metadata, deadline);
  }
}

async function reflect(client: grpc.Client, version: 'v1' | 'v1alpha', metadata: grpc.Metadata, deadline: number): Promise<{ file: FileProto[] }> {
  const { request, response } = builtinTypes().reflection[version];
  const call = client.makeBidiStreamRequest(
    `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
    (value: object) => Buffer.from(request.encode(request.fromObject(value)).finish()),
    (bytes: Buffer) => response.toObject(response.decode(bytes), { defaults: false, arrays: true }) as ReflectionResponse,
    metadata,
    { deadline },
  );
  const waiting: Array<{ resolve: (r: ReflectionResponse) => void; reject: (e: Error) => void }> = [];
  let failure: Error | undefined;
  call.on('data', (r: ReflectionResponse) => waiting.shift()?.resolve(r));
  call.on('error', (error: Error) => {
    failure = error;
    for (const w of waiting.splice(0)) w.reject(error);
  });
  call.on('end', () => {
    failure ??= new Error('the server ended the reflection stream early');
    for (const w of waiting.splice(0)) w.reject(failure);
  });
  const ask = (message: object): Promise<ReflectionResponse> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      waiting.push({ resolve, reject });
      call.write(message);
    }).then((r) => {
      const e = (r as ReflectionResponse).error_response;
      if (e) throw new Error(`reflection: ${e.error_message ?? `error ${e.error_code}`}`);
      return r as ReflectionResponse;
    });

  try {
    const files = new Map<string, FileProto>();
    const add = (r: ReflectionResponse) => {
      for (const bytes of r.file_descriptor_response?.file_descriptor_proto ?? []) {
        const file = descriptor.FileDescriptorProto.decode(bytes) as FileProto;
        if (file.name && !files.has(file.name)) files.set(file.name, file);
      }
    };
    const listed = await ask({ list_services: '*' });
    for (const service of listed.list_services_response?.service ?? []) {
      if (service.name) add(await ask({ file_containing_symbol: service.name }));
    }
    for (let missing = missingDependencies(files); missing.length; missing = missingDependencies(files)) {
      for (const name of missing) {
        const before = files.size;
        add(await ask({ file_by_filename: name }));
        if (files.size === before) throw new Error(`reflection: the server did not send ${name}`);
      }
    }
    return { file: [...files.values()] };
  } finally {
    call.end();
  }
}

function missingDependencies(files: ReadonlyMap<string, FileProto>): string[] {
  const missing = new Set<string>();
  for (const file of files.values()) for (const dep of file.dependency ?? []) if (!files.has(dep)) missing.add(dep);
  return [...missing];
}
