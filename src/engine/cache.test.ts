// LruCache: recency order, byte budget, eviction callback, prefix deletion.
import { describe, expect, it } from 'vitest';
import { LruCache } from './cache';

describe('LruCache', () => {
  it('evicts least recently used entries beyond the byte budget', () => {
    const evicted: string[] = [];
    const c = new LruCache<Uint8Array>(10, (v) => v.byteLength, (_v, k) => evicted.push(k));
    c.set('a', new Uint8Array(4));
    c.set('b', new Uint8Array(4));
    expect(c.get('a')).toBeDefined(); // a is now most recent
    c.set('c', new Uint8Array(4)); // 12 > 10: evict b
    expect(evicted).toEqual(['b']);
    expect(c.keys()).toEqual(['a', 'c']);
    expect(c.usedBytes).toBe(8);
    expect(c.hits).toBe(1);
    expect(c.get('b')).toBeUndefined();
    expect(c.misses).toBe(1);
  });

  it('does not keep a value larger than the budget, replaces same key, deletes by prefix', () => {
    const c = new LruCache<Uint8Array>(10, (v) => v.byteLength);
    expect(c.set('big', new Uint8Array(11))).toBe(false);
    expect(c.size).toBe(0);
    c.set('s1|m', new Uint8Array(3));
    c.set('s1|m', new Uint8Array(5));
    expect(c.usedBytes).toBe(5);
    c.set('s2|m', new Uint8Array(2));
    c.deletePrefix('s1|');
    expect(c.keys()).toEqual(['s2|m']);
    c.resize(1);
    expect(c.size).toBe(0);
  });
});
