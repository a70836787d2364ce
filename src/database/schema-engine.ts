import { readFileSync } from 'node:fs';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

type WasmBindings = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');

let bindings: Promise<WasmBindings> | undefined;
let lastPanic: string | undefined;

/**
 * Loads Prisma's wasm schema engine once per process. The package's entry imports the .wasm file as an
 * ES module, which plain Node 20 cannot do, so the JS glue is wired to a wasm instance by hand.
 */
function loadBindings(): Promise<WasmBindings> {
  bindings ??= (async () => {
    const glue = '@prisma/schema-engine-wasm/schema_engine_bg';
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS glue file by path, beside its .wasm (no ESM import: see above)
    const bg = require(glue) as WasmBindings;
    const wasm = readFileSync(require.resolve(glue).replace(/\.js$/, '.wasm'));
    const { instance } = await WebAssembly.instantiate(wasm, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    // The engine reports Rust panics through this global; without it a panic becomes an opaque TypeError.
    Object.assign(globalThis, { PRISMA_WASM_PANIC_REGISTRY: { set_message: (m: string) => (lastPanic = m) } });
    return bg;
  })();
  return bindings;
}

export async function openSchemaEngine(
  schema: { path: string; content: string },
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
): Promise<SchemaEngine> {
  const bg = await loadBindings();
  lastPanic = undefined;
  try {
    const adapter = bindMigrationAwareSqlAdapterFactory(adapterFactory);
    return await bg.SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, () => {}, adapter);
  } catch (error) {
    // A panic of Prisma's engine is its bug, not a state an operator can fix: a plain Error, with the panic's text.
    throw lastPanic ? new Error(`Prisma schema engine panicked: ${lastPanic}`, { cause: error }) : error;
  }
}
