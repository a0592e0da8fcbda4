/**
 * The transaction context a MikroORM 6 savepoint was opened in. MikroORM 6 announces nothing about savepoints in
 * its transaction events, and links a savepoint's context to its parent through a module-private symbol, found
 * here by its description (test/core/grouping.test.ts fails if that changes). MikroORM 7 announces the parent
 * in `beforeTransactionStart`, which `TransactionIds` records instead.
 */
export function savepointParentOf(transaction: object): object | undefined {
  const symbol = Object.getOwnPropertySymbols(transaction).find(s => s.description === 'parentTransaction');
  const parent = symbol ? (transaction as Record<symbol, unknown>)[symbol] : undefined;
  return (typeof parent === 'object' || typeof parent === 'function') && parent !== null ? parent : undefined;
}
