// A grouped bar chart in SVG (built with DOM calls: no inline style, no
// HTML parsing): one group per label, a bar for the rules in force and one
// for the candidate, values written on the bars.
const NS = 'http://www.w3.org/2000/svg';

function el(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// groups: [{label, a, b}]; names: ['in force', 'candidate']
export function barChart(title, groups, names, format = (v) => v.toLocaleString('en-GB')) {
  const width = 720;
  const labelWidth = 170;
  const barHeight = 14;
  const gap = 12;
  const top = 44;
  const height = top + groups.length * (2 * barHeight + gap) + 10;
  const max = Math.max(1, ...groups.flatMap((g) => [Math.abs(g.a), Math.abs(g.b)]));
  const scale = (width - labelWidth - 90) / max;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title });
  svg.append(el('text', { x: 0, y: 16, class: 'chart-title' }, title));
  names.forEach((n, i) => {
    svg.append(el('rect', { x: labelWidth + i * 150, y: 24, width: 12, height: 10, class: `bar-${i}` }));
    svg.append(el('text', { x: labelWidth + i * 150 + 18, y: 33, class: 'chart-legend' }, n));
  });
  groups.forEach((g, k) => {
    const y = top + k * (2 * barHeight + gap);
    svg.append(el('text', { x: labelWidth - 8, y: y + barHeight + 4, 'text-anchor': 'end', class: 'chart-label' }, g.label));
    [g.a, g.b].forEach((v, i) => {
      const w = Math.max(1, Math.abs(v) * scale);
      const by = y + i * barHeight;
      svg.append(el('rect', { x: labelWidth, y: by, width: w, height: barHeight - 2, class: `bar-${i}` }));
      svg.append(el('text', { x: labelWidth + w + 6, y: by + barHeight - 4, class: 'chart-value' }, format(v)));
    });
  });
  return svg;
}
