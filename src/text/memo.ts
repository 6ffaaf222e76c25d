/**
 * fn, with its results kept for the last `size` texts it was given (the oldest is dropped first).
 * For pure functions of a text whose results nobody changes: the same chunks come back question
 * after question, and tagging or weighing their words again would give the same result.
 */
export function memo<T>(fn: (text: string) => T, size: number): (text: string) => T {
  const kept = new Map<string, T>();
  return (text) => {
    let value = kept.get(text);
    if (value === undefined) {
      value = fn(text);
      if (kept.size >= size) kept.delete(kept.keys().next().value as string);
      kept.set(text, value);
    }
    return value;
  };
}
