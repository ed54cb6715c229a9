// Least-recently-used cache bounded by a byte budget (image features) or an entry count (text embeddings:
// pass sizeOf = () => 1). Evicted values are handed to onEvict so GPU/ORT tensors can be disposed.

export class LruCache<V> {
  private readonly map = new Map<string, { value: V; size: number }>();
  private used = 0;
  hits = 0;
  misses = 0;

  constructor(
    private budget: number,
    private readonly sizeOf: (v: V) => number,
    private readonly onEvict?: (v: V, key: string) => void,
  ) {}

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Stores value; a value larger than the whole budget is not kept (returns false). */
  set(key: string, value: V): boolean {
    this.delete(key);
    const size = this.sizeOf(value);
    if (size > this.budget) {
      this.onEvict?.(value, key);
      return false;
    }
    this.map.set(key, { value, size });
    this.used += size;
    this.trim();
    return true;
  }

  delete(key: string): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.used -= e.size;
    this.onEvict?.(e.value, key);
  }

  /** Drops every entry whose key starts with prefix (e.g. all features of one scan). */
  deletePrefix(prefix: string): void {
    for (const k of [...this.map.keys()]) if (k.startsWith(prefix)) this.delete(k);
  }

  clear(): void {
    for (const k of [...this.map.keys()]) this.delete(k);
  }

  resize(budget: number): void {
    this.budget = budget;
    this.trim();
  }

  get size(): number {
    return this.map.size;
  }

  get usedBytes(): number {
    return this.used;
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  private trim(): void {
    while (this.used > this.budget && this.map.size) {
      const oldest = this.map.keys().next().value as string;
      this.delete(oldest);
    }
  }
}
