/**
 * At most `count` uses per user in any window of `seconds`: each use is remembered for the
 * length of the window.
 */
export class Cooldown {
  private readonly uses = new Map<string, number[]>();

  constructor(
    readonly count: number,
    readonly seconds: number,
  ) {}

  /** Records a use and returns undefined, or, when the user is over the limit, when they may try again. */
  take(user: string): Date | undefined {
    const now = Date.now();
    const window = this.seconds * 1000;
    const uses = (this.uses.get(user) ?? []).filter((at) => at > now - window);
    if (uses.length >= this.count) return new Date(uses[0] + window);
    uses.push(now);
    this.uses.set(user, uses);
    // Forget the user once their last use leaves the window, so the map does not grow for ever.
    setTimeout(() => {
      if (this.uses.get(user)?.at(-1) === now) this.uses.delete(user);
    }, window).unref();
    return undefined;
  }
}
