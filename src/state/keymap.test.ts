// Keyboard registry: combo normalisation, registration by id, lookup.
import { describe, expect, it } from 'vitest';
import { comboOf, findShortcut, registerShortcut, useKeymap } from './keymap';

const ev = (key: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {}) => ({
  key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods,
});

describe('keymap', () => {
  it('normalises key combos', () => {
    expect(comboOf(ev('a'))).toBe('a');
    expect(comboOf(ev('?', { shiftKey: true }))).toBe('?');
    expect(comboOf(ev('ArrowUp', { shiftKey: true }))).toBe('Shift+ArrowUp');
    expect(comboOf(ev('z', { ctrlKey: true }))).toBe('Mod+z');
    expect(comboOf(ev('z', { metaKey: true, shiftKey: true }))).toBe('Mod+z');
    expect(comboOf(ev(' '))).toBe('Space');
  });

  it('registers, finds, replaces by id and unregisters', () => {
    const hits: string[] = [];
    const off = registerShortcut({ id: 't1', keys: ['x', 'Mod+x'], description: 'X', group: 'T', run: () => hits.push('a') });
    expect(findShortcut(useKeymap.getState().shortcuts, 'Mod+x')?.id).toBe('t1');
    registerShortcut({ id: 't1', keys: ['y'], description: 'Y', group: 'T', run: () => hits.push('b') });
    expect(findShortcut(useKeymap.getState().shortcuts, 'x')).toBeUndefined();
    findShortcut(useKeymap.getState().shortcuts, 'y')?.run(new Event('keydown') as KeyboardEvent);
    expect(hits).toEqual(['b']);
    off(); // the first registration was replaced, so this removes nothing
    expect(useKeymap.getState().shortcuts.filter((s) => s.id === 't1')).toHaveLength(1);
  });
});
