/** String ↔ dense u32 id. Id 0 is reserved for "none", so real ids start at 1. */
export class Interner {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [''];

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
  /** The id of `s` when it was interned, else 0. */
  lookup(s: string): number {
    return this.ids.get(s) ?? 0;
  }
  string(id: number): string {
    return this.strings[id];
  }
  get size(): number {
    return this.strings.length - 1;
  }
}
