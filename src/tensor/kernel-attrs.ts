/**
 * A kernel's attributes read with their kind checked: tfjs types every attribute as the union of all kinds, so
 * reading one as a boolean or a number is a claim these functions verify instead of a cast.
 */
import type * as tf from '@tensorflow/tfjs';

type Attrs = tf.NamedAttrMap | undefined;

function refuse(name: string, kind: string, value: unknown): never {
  // Attributes come from our own op calls: a wrong one is a bug, never input
  throw new TypeError(`kernel attribute ${name} must be ${kind}, got ${JSON.stringify(value)}`);
}

/** A flag; tfjs leaves an unset one out, which reads as false. */
export function booleanAttr(attrs: Attrs, name: string): boolean {
  const value = attrs?.[name];
  if (value === undefined) return false;
  return typeof value === 'boolean' ? value : refuse(name, 'a boolean', value);
}

export function numberAttr(attrs: Attrs, name: string): number {
  const value = attrs?.[name];
  return typeof value === 'number' ? value : refuse(name, 'a number', value);
}

const isNumbers = (value: unknown): value is number[] => Array.isArray(value) && value.every((v) => typeof v === 'number');

/** A number or a list of them (an axis or axes, a slice's begin and size, split sizes). */
export function numbersAttr(attrs: Attrs, name: string): number | number[] {
  const value = attrs?.[name];
  return typeof value === 'number' || isNumbers(value) ? value : refuse(name, 'a number or numbers', value);
}

/** numbersAttr where tfjs may leave it out or pass null (a slice's size: to the end; a sum's axis: every axis). */
export function optionalNumbersAttr(attrs: Attrs, name: string): number | number[] | undefined {
  const value = attrs?.[name];
  return value === undefined || value === null ? undefined : numbersAttr(attrs, name);
}
