// Image-only bundles (manifest kind 'image-only'): the vision graph gives one logits channel per class
// (manifest output.channels), and a prompt only picks which channel to show. The rule is the toolchain's
// (models/vlsm/unet.py pick_channel): the longest of every channel's words found in the prompt as whole words
// ('left lung' beats 'lungs', 'left ventricular myocardium' beats 'left ventricle'); ties go to the earliest in
// the prompt. The empty prompt shows every channel at once (their maximum); a prompt naming no class is refused.

export interface ChannelSpec {
  name: string;
  words: string[];
}

export const IMAGE_ONLY_NOTE = 'image only: prompt words do not steer this model';

/** Index of the channel the prompt names, 'all' for the empty prompt, null when it names none. */
export function pickChannel(prompt: string, channels: readonly ChannelSpec[]): number | 'all' | null {
  if (prompt.trim() === '') return 'all';
  const text = ` ${prompt.toLowerCase().replace(/[^a-z0-9']+/g, ' ')} `;
  let best: [number, number, number] | null = null; // [-length, position, channel]
  channels.forEach((c, i) => {
    for (const w of [c.name.toLowerCase(), ...c.words]) {
      const pos = text.indexOf(` ${w} `);
      if (pos < 0) continue;
      const cand: [number, number, number] = [-w.length, pos, i];
      if (!best || cand[0] < best[0] || (cand[0] === best[0] && (cand[1] < best[1] || (cand[1] === best[1] && cand[2] < best[2])))) best = cand;
    }
  });
  return best ? (best as [number, number, number])[2] : null;
}

export class UnknownClassError extends Error {
  constructor(prompt: string, channels: readonly ChannelSpec[]) {
    super(
      `${IMAGE_ONLY_NOTE}: '${prompt.slice(0, 80)}' names none of its classes; ask for one of ${channels.map((c) => c.name).join(', ')} (or leave the prompt empty for all of them)`,
    );
    this.name = 'UnknownClassError';
  }
}

/** One channel (or the per-pixel maximum of all) of a [1, C, H, W] logits tensor, as [H, W]. */
export function channelPlane(data: Float32Array, channels: number, height: number, width: number, pick: number | 'all'): Float32Array {
  const plane = height * width;
  if (data.length !== channels * plane) throw new Error(`logits have ${data.length} values, expected ${channels} x ${height} x ${width}`);
  if (pick !== 'all') return data.slice(pick * plane, (pick + 1) * plane);
  const out = data.slice(0, plane);
  for (let c = 1; c < channels; c++) {
    const off = c * plane;
    for (let i = 0; i < plane; i++) if (data[off + i] > out[i]) out[i] = data[off + i];
  }
  return out;
}
