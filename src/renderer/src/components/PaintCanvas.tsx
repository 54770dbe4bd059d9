import { useEffect, useRef } from 'react';
import { useI18n } from '../i18n';

/** The painted square covers x and y in [−EXTENT, EXTENT] (the presets' view). */
const EXTENT = 3;
const SIZE = 280;
/** Brush radius in data units, and points dropped per pointer event. */
const BRUSH = 0.12;
const PER_EVENT = 3;
/** A bound on the points (they travel in the run's parameters). */
export const MAX_PAINTED = 3000;

/** "x, y; x, y; …" (the form's matrix text) → points; malformed rows are skipped. */
function parsePoints(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const row of text.split(';')) {
    const [x, y] = row.split(',').map((v) => Number(v.trim()));
    if (row.trim() && Number.isFinite(x) && Number.isFinite(y)) out.push([x, y]);
  }
  return out;
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/**
 * A brush for the GAN's painted distribution: dragging drops points around the pointer. Edits
 * the same text as the form's matrix field, so typing and painting agree.
 */
export function PaintCanvas({ value, onChange }: { value: string; onChange(v: string): void }) {
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const points = parsePoints(value);

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#fafafa';
    ctx.fillRect(0, 0, SIZE, SIZE);
    ctx.strokeStyle = '#ddd';
    ctx.beginPath();
    ctx.moveTo(SIZE / 2, 0);
    ctx.lineTo(SIZE / 2, SIZE);
    ctx.moveTo(0, SIZE / 2);
    ctx.lineTo(SIZE, SIZE / 2);
    ctx.stroke();
    ctx.fillStyle = '#333';
    for (const [x, y] of parsePoints(value)) {
      const px = ((x + EXTENT) / (2 * EXTENT)) * SIZE;
      const py = ((EXTENT - y) / (2 * EXTENT)) * SIZE;
      ctx.fillRect(px - 1.5, py - 1.5, 3, 3);
    }
  }, [value]);

  const paint = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const x = ((e.clientX - box.left) / box.width) * 2 * EXTENT - EXTENT;
    const y = EXTENT - ((e.clientY - box.top) / box.height) * 2 * EXTENT;
    if (points.length >= MAX_PAINTED) return;
    const added: string[] = [];
    for (let i = 0; i < PER_EVENT; i++) {
      // Uniform in the brush's disc.
      const r = BRUSH * Math.sqrt(Math.random());
      const a = 2 * Math.PI * Math.random();
      added.push(`${round(x + r * Math.cos(a))}, ${round(y + r * Math.sin(a))}`);
    }
    onChange([value.trim(), ...added].filter(Boolean).join('; '));
  };

  return (
    <div className="paint">
      <p className="field-help">{t('gan.paint.explain')}</p>
      <canvas
        ref={canvas}
        width={SIZE}
        height={SIZE}
        style={{ touchAction: 'none', border: '1px solid #ccc', cursor: 'crosshair' }}
        onPointerDown={(e) => {
          drawing.current = true;
          e.currentTarget.setPointerCapture(e.pointerId);
          paint(e);
        }}
        onPointerMove={(e) => drawing.current && paint(e)}
        onPointerUp={() => (drawing.current = false)}
        data-testid="paint-canvas"
      />
      <div>
        <span className="muted" data-testid="paint-count">
          {t('gan.paint.count', { n: points.length })}
        </span>{' '}
        <button type="button" onClick={() => onChange('')}>
          {t('gan.paint.clear')}
        </button>
      </div>
    </div>
  );
}
