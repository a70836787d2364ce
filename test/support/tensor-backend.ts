import { initTensorBackend } from '../../src/tensor/backend';

/** Model tests run on the backend the service would use here (wasm), so its kernel fixes are covered. */
export function useTensorBackend(): void {
  beforeAll(async () => {
    await initTensorBackend((process.env.TF_BACKEND as 'wasm' | undefined) ?? 'wasm');
  });
}
