/** A small line chart as inline SVG markup, built from numbers only (so it needs no escaping). */
export function lineChart(
  points: readonly { at: number; value: number }[],
  options: { title: string; unit: string; width?: number; height?: number },
): string {
  const width = options.width ?? 480;
  const height = options.height ?? 140;
  const pad = { left: 48, right: 8, top: 10, bottom: 22 };
  const max = Math.max(1, ...points.map((p) => p.value));
  const first = points[0]?.at ?? 0;
  const last = points.at(-1)?.at ?? first + 1;
  const span = Math.max(1, last - first);
  const x = (at: number) => pad.left + ((at - first) / span) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - v / max) * (height - pad.top - pad.bottom);
  const path = points.map((p) => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const latest = points.at(-1)?.value ?? 0;
  const label = `${options.title}: ${fmt(latest)} ${options.unit} now, at most ${fmt(max)} over the last ${Math.round(span / 60000) || '<1'} min`;
  const minutes = ((last - first) / 60000).toFixed(1);
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${label}">
<title>${label}</title>
<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" class="axis"/>
<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" class="axis"/>
<text x="${pad.left - 4}" y="${pad.top + 8}" text-anchor="end">${fmt(max)}</text>
<text x="${pad.left - 4}" y="${height - pad.bottom}" text-anchor="end">0</text>
<text x="${pad.left}" y="${height - 6}">−${minutes} min</text>
<text x="${width - pad.right}" y="${height - 6}" text-anchor="end">now</text>
${points.length > 1 ? `<polyline points="${path}" class="line"/>` : ''}
</svg>`;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
