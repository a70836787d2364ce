import type { TrainingProgress } from '../training/progress';
import { ProgressRecorder } from './progress-recorder';

const at = (step: number): TrainingProgress => ({ phase: 'training', epoch: 0, step, stepsPerEpoch: 100 });

describe(ProgressRecorder.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('writes the first report at once, then at most one per interval, ending with the latest', async () => {
    const written: number[] = [];
    const sut = new ProgressRecorder(async (p) => void written.push(p.step), 2000);
    sut.report(at(1));
    sut.report(at(2));
    sut.report(at(3));
    await jest.advanceTimersByTimeAsync(0);
    expect(written).toEqual([1]);
    await jest.advanceTimersByTimeAsync(2000);
    expect(written).toEqual([1, 3]); // the trailing write brings the row up to date
    sut.report(at(4));
    await jest.advanceTimersByTimeAsync(1000);
    expect(written).toEqual([1, 3]);
    await sut.flush();
    expect(written).toEqual([1, 3, 4]);
  });

  it('keeps writing after a failed write', async () => {
    const written: number[] = [];
    let fail = true;
    const sut = new ProgressRecorder(async (p) => {
      if (fail) throw new Error('database closed');
      written.push(p.step);
    }, 2000);
    sut.report(at(1));
    await sut.flush();
    fail = false;
    sut.report(at(2));
    await sut.flush();
    expect(written).toEqual([2]);
  });
});
