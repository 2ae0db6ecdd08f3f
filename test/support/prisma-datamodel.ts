/**
 * The Prisma data model (DMMF) of prisma/schema.prisma, read offline with the schema engine's WebAssembly
 * build that ships inside the `prisma` package (the same parser `prisma generate` uses). The generated
 * client only keeps a trimmed model (no nullability, native types or indexes), hence this.
 * The wasm-bindgen calling convention below matches prisma 7.x; if an upgrade changes it, this throws.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object' | 'unsupported';
  type: string;
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}

export interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}

export interface DmmfIndex {
  model: string;
  type: 'id' | 'normal' | 'unique' | 'fulltext';
  algorithm?: string;
  dbName?: string;
  fields: { name: string }[];
}

export interface DmmfDatamodel {
  models: DmmfModel[];
  enums: { name: string; dbName?: string | null; values: { name: string; dbName?: string | null }[] }[];
  indexes: DmmfIndex[];
}

// The project compiles without the DOM lib, which is where TypeScript declares WebAssembly: the parts used here.
interface WebAssemblyApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: unknown }>;
  Module: { imports(module: object): { module: string; name: string }[] };
}

interface SchemaWasm {
  memory: { buffer: ArrayBuffer };
  __wbindgen_externrefs: { grow(delta: number): number; set(index: number, value: unknown): void; get(index: number): unknown };
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(pointer: number, size: number, align: number): void;
  __wbindgen_start(): void;
  get_dmmf(pointer: number, length: number): [number, number, number, number];
}

export async function loadPrismaDatamodel(schemaFile: string): Promise<DmmfDatamodel> {
  const schema = await readFile(schemaFile, 'utf8');
  const prismaDir = path.dirname(createRequire(import.meta.url).resolve('prisma/package.json'));
  const bytes = await readFile(path.join(prismaDir, 'build', 'prisma_schema_build_bg.wasm'));
  const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
  const module = await webAssembly.compile(bytes);
  // The imports run during instantiation (start) and calls, so they reach the exports through this holder.
  const bound: { wasm?: SchemaWasm } = {};
  const text = (pointer: number, length: number) => new TextDecoder().decode(new Uint8Array(bound.wasm!.memory.buffer, pointer, length));
  const imports: Record<string, (...args: number[]) => unknown> = {};
  for (const { name } of webAssembly.Module.imports(module)) {
    if (name.includes('init_externref_table')) {
      imports[name] = () => {
        const table = bound.wasm!.__wbindgen_externrefs;
        const base = table.grow(4);
        table.set(0, undefined);
        [undefined, null, true, false].forEach((value, offset) => table.set(base + offset, value));
      };
    } else if (name.includes('Error')) {
      imports[name] = (pointer, length) => new Error(text(pointer!, length!));
    } else {
      imports[name] = (pointer, length) => {
        throw new Error(`prisma schema wasm: ${text(pointer!, length!)}`);
      };
    }
  }
  const instance = await webAssembly.instantiate(module, { __wbindgen_placeholder__: imports });
  const wasm = (bound.wasm = instance.exports as unknown as SchemaWasm);
  wasm.__wbindgen_start();
  const input = new TextEncoder().encode(JSON.stringify({ prismaSchema: schema }));
  const pointer = wasm.__wbindgen_malloc(input.length, 1);
  new Uint8Array(wasm.memory.buffer, pointer, input.length).set(input);
  const [outPointer, outLength, errorRef, failed] = wasm.get_dmmf(pointer, input.length);
  if (failed) throw wasm.__wbindgen_externrefs.get(errorRef) as Error;
  const output = text(outPointer, outLength);
  wasm.__wbindgen_free(outPointer, outLength, 1);
  return (JSON.parse(output) as { datamodel: DmmfDatamodel }).datamodel;
}
