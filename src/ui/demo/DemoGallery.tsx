// Gallery of generated demo scans; one click opens (and saves) one. Thumbnails are generated small.
import { useEffect, useState } from 'react';
import { DEMOS, makeDemo, type DemoKind } from '../../demo';
import { thumbnailOf } from '../../viewer/thumbnail';

export const DEMO_SEED = 1;

interface Props {
  onOpen(kind: DemoKind, seed: number): void;
}

export function DemoGallery({ onOpen }: Props) {
  const [thumbs, setThumbs] = useState<Record<string, string | null>>({});
  useEffect(() => {
    // Generated after first paint so start-up is not delayed.
    const t = setTimeout(() => {
      const next: Record<string, string | null> = {};
      for (const d of DEMOS) next[d.kind] = thumbnailOf(makeDemo(d.kind, DEMO_SEED, 80).scan, 80);
      setThumbs(next);
    }, 50);
    return () => clearTimeout(t);
  }, []);
  return (
    <section className="panel" data-testid="demo-gallery">
      <h2 className="panel-title">Demo scans</h2>
      <div className="demo-grid">
        {DEMOS.map((d) => (
          <button key={d.kind} type="button" className="demo-card" onClick={() => onOpen(d.kind, DEMO_SEED)} data-testid={`demo-${d.kind}`} title={`Open demo: ${d.title}`}>
            {thumbs[d.kind] ? <img src={thumbs[d.kind] ?? ''} alt="" /> : <div className="thumb placeholder" />}
            <span>{d.title}</span>
          </button>
        ))}
      </div>
      <p className="hint">Synthetic, generated in the browser, each with a ground-truth mask and a prompt.</p>
    </section>
  );
}
