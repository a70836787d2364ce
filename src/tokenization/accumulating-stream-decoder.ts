import { StreamDecoder } from './tokenizer';

/** A StreamDecoder built from "what does this id append" and "what is still held back at the end". */
export class AccumulatingStreamDecoder implements StreamDecoder {
  private shown = '';

  constructor(
    private readonly append: (id: number) => string,
    private readonly flush: () => string = () => '',
  ) {}

  get text(): string {
    return this.shown;
  }

  push(id: number): { text: string; delta: string } {
    return this.add(this.append(id));
  }

  finish(): { text: string; delta: string } {
    return this.add(this.flush());
  }

  private add(delta: string): { text: string; delta: string } {
    this.shown += delta;
    return { text: this.shown, delta };
  }
}
