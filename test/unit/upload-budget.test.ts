import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UploadBudget } from '../../src/http/upload-budget.ts';

describe('upload budget', () => {
  it('holds at most the memory in all and half of it for one key, and gives bytes back once', () => {
    const budget = new UploadBudget(100, 40);
    const a1 = budget.take('a', 40)!;
    assert.equal(budget.take('a', 20), undefined, 'a may hold 50');
    assert.ok(budget.take('a', 10));
    const b = budget.take('b', 40)!;
    assert.equal(budget.take('c', 11), undefined, 'in all, 100');
    assert.ok(budget.take('c', 10));
    assert.equal(budget.inUse, 100);
    a1();
    a1();
    assert.equal(budget.inUse, 60, 'given back once');
    assert.ok(budget.take('a', 40), 'a holds 10 again, and may take 40');
    b();
    assert.equal(budget.inUse, 60);
  });

  it('fits an upload as large as the limit though the memory is smaller, one at a time', () => {
    const budget = new UploadBudget(10, 40);
    const one = budget.take('a', 40)!;
    assert.equal(budget.take('b', 1), undefined);
    one();
    assert.ok(budget.take('b', 40));
  });
});
