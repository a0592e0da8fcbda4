/** SQL dialects whose audit statements this library builds and tests. */
export type Dialect = 'postgresql' | 'mysql' | 'sqlite';
