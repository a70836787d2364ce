import { initTensorBackend } from '../../src/tensor/backend';
import { loadNativeKernels } from '../../src/tensor/native-kernels';

/** Model tests run on the backend the service would use here (wasm), so its kernel fixes are covered. */
export function useTensorBackend(): void {
  beforeAll(async () => {
    await initTensorBackend((process.env.TF_BACKEND as 'wasm' | undefined) ?? 'wasm');
  });
}

/**
 * Whether the native kernels must be in use: CI compiles them (a C compiler is all they need), so there a missing
 * build fails their tests instead of skipping them; with TF_NATIVE=off (CI's fallback pass) the specs assert the
 * fallback instead.
 */
export function nativeKernelsExpected(): boolean {
  return process.env.TF_NATIVE !== 'off' && ('kernels' in loadNativeKernels() || !!process.env.CI);
}
