import type { EntityManager } from '@mikro-orm/core';
import type { SafeHtml } from './html.js';

/** What a page handler gets: a fork of the ORM's EntityManager for this request, and the browser's options. */
export interface PageContext {
  readonly em: EntityManager;
  readonly pageSize: number;
}

/** A rendered page: its heading and body, which `layout` puts in the page shell. */
export interface Page {
  readonly heading: string;
  readonly body: SafeHtml;
}
