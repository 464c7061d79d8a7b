// A line diff (longest common subsequence) for the side-by-side view of a
// draft against the rules in force. Rules files are a few hundred lines: the
// quadratic table is small.

// [{left: line|null, right: line|null, kind: 'same'|'changed'|'removed'|'added', ln, rn}]
export function diffLines(a, b) {
  const left = a.split('\n');
  const right = b.split('\n');
  const n = left.length;
  const m = right.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = left[i] === right[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const rows = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && left[i] === right[j]) {
      rows.push({ left: left[i], right: right[j], kind: 'same', ln: i + 1, rn: j + 1 });
      i++; j++;
    } else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      rows.push({ left: left[i], right: null, kind: 'removed', ln: i + 1 });
      i++;
    } else {
      rows.push({ left: null, right: right[j], kind: 'added', rn: j + 1 });
      j++;
    }
  }
  // A removal next to an addition reads best as one changed line.
  const paired = [];
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const next = rows[k + 1];
    if (r.kind === 'removed' && next && next.kind === 'added') {
      paired.push({ left: r.left, right: next.right, kind: 'changed', ln: r.ln, rn: next.rn });
      k++;
    } else {
      paired.push(r);
    }
  }
  return paired;
}
