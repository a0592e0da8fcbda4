import { randomUUID } from 'node:crypto';
import { savepointParentOf } from '../mikro-orm/transactionParent.js';

/**
 * One id per database transaction, for `_audit_transaction`. A nested `em.transactional()` runs in a savepoint
 * with a context object of its own, yet writes into the same database transaction, so every context maps to
 * its outermost one. MikroORM 7 announces a savepoint's parent in its transaction events (recorded here);
 * MikroORM 6 announces nothing (see `savepointParentOf`). test/core/grouping.test.ts fails if either changes.
 */
export class TransactionIds {
  readonly #ids = new WeakMap<object, string>();
  readonly #parents = new WeakMap<object, object>();
  // The parent announced by `beforeTransactionStart`, until `afterTransactionStart` names the savepoint.
  readonly #opening = new WeakMap<object, object>();

  /** `beforeTransactionStart`: `parent` is the context a savepoint is about to open in. */
  opening(em: object, parent: unknown): void {
    if (isObject(parent)) {
      this.#opening.set(em, parent);
    } else {
      this.#opening.delete(em);
    }
  }

  /** `afterTransactionStart`: `transaction` has just opened. */
  opened(em: object, transaction: unknown): void {
    const parent = this.#opening.get(em);
    this.#opening.delete(em);
    if (parent && isObject(transaction) && parent !== transaction) {
      this.#parents.set(transaction, parent);
    }
  }

  /** The id of the database transaction that `transaction` (a MikroORM transaction context) belongs to. */
  idOf(transaction: object): string {
    const root = this.#root(transaction);
    let id = this.#ids.get(root);
    if (!id) {
      id = randomUUID();
      this.#ids.set(root, id);
    }
    return id;
  }

  #root(transaction: object): object {
    let current = transaction;
    for (let parent = this.#parentOf(current); parent; parent = this.#parentOf(current)) {
      current = parent;
    }
    return current;
  }

  #parentOf(transaction: object): object | undefined {
    const announced = this.#parents.get(transaction);
    if (announced) {
      return announced;
    }
    return savepointParentOf(transaction);
  }
}

// A knex transaction (MikroORM 6) is a function object.
function isObject(value: unknown): value is object {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}
