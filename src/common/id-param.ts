import { Injectable, Param, type PipeTransform } from '@nestjs/common';
import { canonicalId } from './ids';

/** Route parameters that name a row: canonical (lower-case) before any controller sees them, see canonicalId. */
@Injectable()
export class CanonicalIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    return canonicalId(value);
  }
}

/** `@IdParam() id: string` is `@Param('id')`, canonicalized. */
export const IdParam = () => Param('id', CanonicalIdPipe);
