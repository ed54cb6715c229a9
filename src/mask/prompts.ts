// Prompt builder following the medvlsm attribute ladder: empty; class; + shape; + colour; + size;
// + number; + location; class + description; and the combinations (p8, p9).
import type { MaskAttributes } from './attributes';
import { locationPhrase } from './attributes';

export interface PromptParts {
  className: string;
  shape?: string;
  colour?: string;
  description?: string;
}

export interface BuiltPrompt {
  /** medvlsm key p0..p9. */
  key: string;
  label: string;
  text: string;
}

const words = (...xs: (string | undefined)[]): string => xs.filter((x): x is string => !!x && x.trim() !== '').join(' ');

export function buildPrompts(parts: PromptParts, attrs?: MaskAttributes): BuiltPrompt[] {
  const cls = parts.className.trim();
  const out: BuiltPrompt[] = [{ key: 'p0', label: 'empty', text: '' }];
  if (!cls) return out;
  const shaped = words(parts.shape, cls);
  const coloured = words(parts.colour, shaped);
  out.push({ key: 'p1', label: 'class', text: cls });
  if (parts.shape) out.push({ key: 'p2', label: '+ shape', text: shaped });
  if (parts.colour) out.push({ key: 'p3', label: '+ colour', text: coloured });
  let counted = coloured;
  let located = '';
  if (attrs && !attrs.empty) {
    const sized = words(attrs.size, coloured);
    counted = words(attrs.number, sized);
    located = `${counted}, ${locationPhrase(attrs.locations)}`;
    out.push({ key: 'p4', label: '+ size', text: sized });
    out.push({ key: 'p5', label: '+ number', text: counted });
    out.push({ key: 'p6', label: '+ location', text: located });
  }
  if (parts.description) {
    out.push({ key: 'p7', label: 'class + description', text: `${cls} which is ${parts.description}` });
    if (attrs && !attrs.empty) {
      out.push({ key: 'p8', label: 'attributes + description', text: `${counted} which is ${parts.description}` });
      out.push({ key: 'p9', label: 'all', text: `${counted} which is ${parts.description} ${locationPhrase(attrs.locations)}` });
    }
  }
  return out;
}
