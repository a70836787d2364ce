/** Closes a switch over a union: a new member left unhandled is a type error here, not a silent fall-through. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`); // unreachable when the code type-checks
}
