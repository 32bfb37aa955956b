import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultNormalizeScore } from './normalize-score.js';

test('defaultNormalizeScore', () => {
  const cases = [
    { scores: [10, 20, 30], reverse: false, want: [33, 66, 100] },
    { scores: [10, 20, 30], reverse: true, want: [67, 34, 0] },
    { scores: [0, 0], reverse: false, want: [0, 0] },
    { scores: [0, 0], reverse: true, want: [100, 100] },
  ];
  for (const c of cases) {
    const s = c.scores.map((score, i) => ({ name: `n${i}`, score }));
    defaultNormalizeScore(s, c.reverse);
    assert.deepEqual(s.map((x) => x.score), c.want);
  }
});
