/**
 * A value made on its first use and kept, for an SDK client module imported only when a call needs
 * it instead of at cold start. A failed attempt is not kept: the next use tries again.
 */
export function onFirstUse<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    made.catch(() => (made = undefined));
    return made;
  };
}
